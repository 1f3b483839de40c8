package dev.hfi.junit.internal;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.FaultInjectionPolicy.Fault;
import dev.hfi.client.FaultInjectionPolicy.HeaderMatch;
import dev.hfi.client.FaultInjectionPolicy.Match;
import dev.hfi.client.FaultInjectionPolicy.Metadata;
import dev.hfi.client.FaultInjectionPolicy.Spec;
import dev.hfi.client.FaultInjectionPolicy.StringMatch;
import dev.hfi.client.FaultInjectionPolicy.Target;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyCodec;
import dev.hfi.junit.Abort;
import dev.hfi.junit.Delay;
import dev.hfi.junit.Header;
import dev.hfi.junit.InjectFault;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Turns {@link InjectFault} annotations into policies. Every mistake becomes an {@link
 * ExtensionConfigurationException} that names the annotation's place and the attribute to fix.
 */
public final class FaultAnnotations {
  private static final int MAX_NAME = 63;

  private FaultAnnotations() {}

  /**
   * The policy {@code a} declares.
   *
   * @param where how messages name the annotation's place, e.g. {@code OrdersTest.retries()}
   * @param defaultName the name when {@link InjectFault#name()} is empty (made DNS-1123 here)
   * @param upstreams the upstreams the test class declares
   */
  public static FaultInjectionPolicy toPolicy(
      InjectFault a, String where, String defaultName, Set<String> upstreams, ClassLoader loader) {
    String at = "@InjectFault on " + where;
    if (!a.upstream().isEmpty() && !upstreams.contains(a.upstream())) {
      throw misuse(
          at,
          "upstream",
          "unknown upstream \""
              + a.upstream()
              + "\"; declared: "
              + upstreams
              + " (declare it in @HfiTest(upstreams = ...) or HfiExtension.newInstance().withUpstream)");
    }
    FaultInjectionPolicy policy =
        a.policy().isEmpty() ? inline(a, at, defaultName) : fromFile(a, at, loader);
    if (!a.upstream().isEmpty()) {
      Spec s = policy.spec();
      policy =
          new FaultInjectionPolicy(
              policy.apiVersion(),
              policy.kind(),
              policy.metadata(),
              new Spec(
                  s.priority(),
                  new Target(List.of(a.upstream())),
                  s.match(),
                  s.fault(),
                  s.duration()),
              null);
    }
    try {
      PolicyCodec.validate(policy);
    } catch (InvalidPolicyException e) {
      throw new ExtensionConfigurationException(at + ": invalid policy: " + e.getMessage());
    }
    return policy;
  }

  /** A DNS-1123 label made of {@code parts}; too long ones keep a hash so they stay unique. */
  public static String policyName(String... parts) {
    String raw = String.join("-", parts);
    StringBuilder b = new StringBuilder();
    for (char c : raw.toLowerCase(Locale.ROOT).toCharArray()) {
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (ok) {
        b.append(c);
      } else if (b.length() > 0 && b.charAt(b.length() - 1) != '-') {
        b.append('-');
      }
    }
    String name = b.toString().replaceAll("-+$", "");
    if (name.length() > MAX_NAME) {
      CRC32 crc = new CRC32();
      crc.update(raw.getBytes(StandardCharsets.UTF_8));
      String hash = Long.toHexString(crc.getValue());
      name = name.substring(0, MAX_NAME - hash.length() - 1).replaceAll("-+$", "") + "-" + hash;
    }
    return name.isEmpty() ? "hfi" : name;
  }

  private static FaultInjectionPolicy inline(InjectFault a, String at, String defaultName) {
    List<String> paths = new ArrayList<>();
    StringMatch path = null;
    if (!a.path().isEmpty()) {
      paths.add("path");
      path = StringMatch.prefix(a.path());
    }
    if (!a.pathExact().isEmpty()) {
      paths.add("pathExact");
      path = StringMatch.exact(a.pathExact());
    }
    if (!a.pathRegex().isEmpty()) {
      paths.add("pathRegex");
      path = StringMatch.regex(a.pathRegex());
    }
    if (paths.size() > 1) {
      throw misuse(at, String.join(", ", paths), "give at most one path matcher, found " + paths);
    }
    List<HeaderMatch> headers = new ArrayList<>();
    for (Header h : a.headers()) {
      headers.add(header(h, at));
    }
    Match match =
        new Match(
            path,
            a.method().isEmpty() ? null : StringMatch.exact(a.method()),
            headers.isEmpty() ? null : headers);
    FaultInjectionPolicy.Abort abort = abort(a.abort(), at);
    FaultInjectionPolicy.Delay delay = delay(a.delay());
    if (abort == null && delay == null) {
      throw misuse(
          at,
          "abort, delay",
          "no fault: give abort = @Abort(httpStatus = 503) and/or delay = @Delay(fixedDelay ="
              + " \"2s\"), or policy = \"classpath:...\"");
    }
    if (a.percentage() < 0 || a.percentage() > 100 || Double.isNaN(a.percentage())) {
      throw misuse(at, "percentage", a.percentage() + " is outside 0..100");
    }
    if (a.maxInjections() < 0) {
      throw misuse(at, "maxInjections", a.maxInjections() + " must be positive (0 = no limit)");
    }
    Fault fault =
        new Fault(
            a.percentage() == 100 ? null : BigDecimal.valueOf(a.percentage()),
            abort,
            delay,
            a.maxInjections() == 0 ? null : a.maxInjections());
    Spec spec =
        new Spec(
            a.priority() == 0 ? null : a.priority(),
            null,
            path == null && match.method() == null && match.headers() == null ? null : match,
            fault,
            a.duration().isEmpty() ? null : a.duration());
    String name = a.name().isEmpty() ? defaultName : a.name();
    return FaultInjectionPolicy.of(Metadata.named(name), spec);
  }

  private static HeaderMatch header(Header h, String at) {
    int matchers =
        (h.exact().isEmpty() ? 0 : 1)
            + (h.prefix().isEmpty() ? 0 : 1)
            + (h.regex().isEmpty() ? 0 : 1)
            + (h.present() ? 1 : 0);
    if (matchers != 1) {
      throw misuse(
          at,
          "headers",
          "@Header(name = \""
              + h.name()
              + "\") needs exactly one of exact, prefix, regex, present = true; found "
              + matchers);
    }
    return new HeaderMatch(
        h.name(),
        h.exact().isEmpty() ? null : h.exact(),
        h.prefix().isEmpty() ? null : h.prefix(),
        h.regex().isEmpty() ? null : h.regex(),
        h.present() ? Boolean.TRUE : null);
  }

  private static FaultInjectionPolicy.Abort abort(Abort a, String at) {
    boolean http = a.httpStatus() != -1;
    boolean grpc = a.grpcStatus() != -1;
    if (http && grpc) {
      throw misuse(at, "abort", "give httpStatus or grpcStatus, not both");
    }
    if (http && (a.httpStatus() < 200 || a.httpStatus() > 599)) {
      throw misuse(
          at, "abort.httpStatus", "invalid status " + a.httpStatus() + ": must be in 200..599");
    }
    if (grpc && (a.grpcStatus() < 0 || a.grpcStatus() > 16)) {
      throw misuse(
          at, "abort.grpcStatus", "invalid status " + a.grpcStatus() + ": must be in 0..16");
    }
    if (!http && !grpc) {
      if (!a.body().isEmpty()) {
        throw misuse(at, "abort.body", "a body needs abort.httpStatus");
      }
      return null;
    }
    return new FaultInjectionPolicy.Abort(
        http ? a.httpStatus() : null,
        grpc ? a.grpcStatus() : null,
        a.body().isEmpty() ? null : a.body(),
        null);
  }

  private static FaultInjectionPolicy.Delay delay(Delay d) {
    return d.fixedDelay().isEmpty() ? null : new FaultInjectionPolicy.Delay(d.fixedDelay());
  }

  private static FaultInjectionPolicy fromFile(InjectFault a, String at, ClassLoader loader) {
    List<String> inline = new ArrayList<>();
    if (!a.path().isEmpty()) {
      inline.add("path");
    }
    if (!a.pathExact().isEmpty()) {
      inline.add("pathExact");
    }
    if (!a.pathRegex().isEmpty()) {
      inline.add("pathRegex");
    }
    if (!a.method().isEmpty()) {
      inline.add("method");
    }
    if (a.headers().length > 0) {
      inline.add("headers");
    }
    if (a.abort().httpStatus() != -1 || a.abort().grpcStatus() != -1) {
      inline.add("abort");
    }
    if (!a.delay().fixedDelay().isEmpty()) {
      inline.add("delay");
    }
    if (!a.name().isEmpty()) {
      inline.add("name");
    }
    if (!inline.isEmpty()) {
      throw misuse(
          at,
          "policy",
          "the policy file defines the policy; remove " + inline + " or drop policy = ...");
    }
    String text = read(a.policy(), at, loader);
    PolicyCodec.Format format =
        text.stripLeading().startsWith("{") ? PolicyCodec.Format.JSON : PolicyCodec.Format.YAML;
    try {
      return PolicyCodec.parse(text, format);
    } catch (InvalidPolicyException e) {
      throw misuse(at, "policy", "\"" + a.policy() + "\" is not a valid policy: " + e.getMessage());
    }
  }

  private static String read(String location, String at, ClassLoader loader) {
    if (location.startsWith("classpath:")) {
      String resource = location.substring("classpath:".length()).replaceFirst("^/+", "");
      try (InputStream in = loader.getResourceAsStream(resource)) {
        if (in == null) {
          throw misuse(
              at,
              "policy",
              "\""
                  + location
                  + "\" does not exist on the test class path (e.g. put it in"
                  + " src/test/resources/"
                  + resource
                  + ")");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw misuse(at, "policy", "cannot read \"" + location + "\": " + e.getMessage());
      }
    }
    Path file = Path.of(location.startsWith("file:") ? location.substring(5) : location);
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw misuse(
          at,
          "policy",
          "\"" + location + "\" does not exist (looked for " + file.toAbsolutePath() + ")");
    } catch (IOException e) {
      throw misuse(at, "policy", "cannot read \"" + location + "\": " + e.getMessage());
    }
  }

  private static ExtensionConfigurationException misuse(String at, String field, String message) {
    return new ExtensionConfigurationException(at + ": " + field + ": " + message);
  }
}
