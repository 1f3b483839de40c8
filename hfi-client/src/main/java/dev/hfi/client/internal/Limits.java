package dev.hfi.client.internal;

import com.google.re2j.PatternSyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the control plane admits, so that every data plane can apply every rule set it is sent: the
 * one place the limits of docs/API_REFERENCE.md ("Limits") live. The validator checks a policy
 * alone against the per-policy limits; the control plane's write path checks the rule set the write
 * would produce ({@link #ruleSet}). Each message names the field, the value and the limit.
 */
public final class Limits {
  /** Characters of one matcher value (exact, prefix or regex; path, method or header). */
  public static final int MAX_MATCH_CHARS = 4096;

  /**
   * Instructions of one regex's RE2 program ({@link RegexProgram}). Ordinary patterns need tens;
   * {@code [a-f0-9]{36}} needs 38.
   */
  public static final int MAX_REGEX_PROGRAM_SIZE = 1000;

  /** UTF-8 bytes of one abort body. */
  public static final int MAX_ABORT_BODY_BYTES = 65_536;

  /**
   * UTF-8 bytes of a compiled rule set: half of the 8 MiB poll answer the filter accepts, so a rule
   * set the control plane admits is never one a filter must refuse.
   */
  public static final long MAX_RULE_SET_BYTES = 4L << 20;

  /** Instructions of all regex programs of a rule set together. */
  public static final long MAX_RULE_SET_REGEX_PROGRAM_SIZE = 500_000;

  /**
   * Default maximum number of stored policies ({@code withMaxPolicies}, {@code --max-policies}).
   */
  public static final int DEFAULT_MAX_POLICIES = 10_000;

  private Limits() {}

  /** The violation of {@code field} by a matcher value, or null. */
  public static String matchValue(String field, String value) {
    return value.length() > MAX_MATCH_CHARS
        ? field
            + ": "
            + value.length()
            + " characters is above the limit of "
            + MAX_MATCH_CHARS
            + " characters"
        : null;
  }

  /**
   * The violation of {@code field} by {@code regex} (invalid, or its program above {@link
   * #MAX_REGEX_PROGRAM_SIZE}), or null.
   */
  public static String regex(String field, String regex) {
    RegexProgram.Size size;
    try {
      size = RegexProgram.measure(regex, MAX_REGEX_PROGRAM_SIZE);
    } catch (PatternSyntaxException e) {
      return field
          + ": not a valid RE2 regular expression: "
          + e.getDescription()
          + " in "
          + quote(regex);
    }
    if (size.size() <= MAX_REGEX_PROGRAM_SIZE) {
      return null;
    }
    return field
        + ": "
        + quote(regex)
        + " compiles to an RE2 program of "
        + (size.exact() ? "" : "about ")
        + size.size()
        + " instructions, above the limit of "
        + MAX_REGEX_PROGRAM_SIZE
        + "; large counted repetitions such as x{1000} or nested ones multiply the size, use"
        + " a smaller count, * or +";
  }

  /** The instructions of a regex that {@link #regex} admitted. */
  public static long regexProgramSize(String regex) {
    return RegexProgram.measure(regex, MAX_REGEX_PROGRAM_SIZE).size();
  }

  /** The violation of {@code field} by an abort body, or null. */
  public static String abortBody(String field, String body) {
    int bytes = body.getBytes(StandardCharsets.UTF_8).length;
    return bytes > MAX_ABORT_BODY_BYTES
        ? field
            + ": "
            + bytes
            + " bytes (UTF-8) is above the limit of "
            + MAX_ABORT_BODY_BYTES
            + " bytes"
        : null;
  }

  /**
   * The violations of a rule set of {@code policies} policies, {@code bytes} bytes of JSON and
   * {@code regexProgramSize} regex instructions in total, for a control plane admitting at most
   * {@code maxPolicies} policies; empty when it is within every limit. {@code policy} names the
   * policy whose write would produce it.
   */
  public static List<String> ruleSet(
      String policy, long policies, long bytes, long regexProgramSize, long maxPolicies) {
    java.util.ArrayList<String> errors = new java.util.ArrayList<>();
    if (policies > maxPolicies) {
      errors.add(
          "metadata.name: creating policy "
              + quote(policy)
              + " would make "
              + policies
              + " policies, above the control plane's limit of "
              + maxPolicies
              + " (--max-policies, HFI_MAX_POLICIES); delete policies first");
    }
    if (bytes > MAX_RULE_SET_BYTES) {
      errors.add(
          "spec: with policy "
              + quote(policy)
              + " the compiled rule set would be "
              + bytes
              + " bytes, above the limit of "
              + MAX_RULE_SET_BYTES
              + " bytes; make abort bodies and matchers smaller or delete policies");
    }
    if (regexProgramSize > MAX_RULE_SET_REGEX_PROGRAM_SIZE) {
      errors.add(
          "spec.match: with policy "
              + quote(policy)
              + " the regexes of the rule set would compile to "
              + regexProgramSize
              + " RE2 instructions in total, above the limit of "
              + MAX_RULE_SET_REGEX_PROGRAM_SIZE
              + "; use prefix or exact matchers, or fewer regexes");
    }
    return errors;
  }

  private static String quote(String s) {
    return "\"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"";
  }
}
