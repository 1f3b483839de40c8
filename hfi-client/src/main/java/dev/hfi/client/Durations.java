package dev.hfi.client;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way HFI writes a duration, wherever one is given as text: a policy's {@code
 * spec.duration} and {@code fixedDelay}, the long poll's {@code wait}, the CLI's {@code --timeout}
 * and other options, and the JUnit extension's {@code ackTimeout}.
 *
 * <p>The grammar is Go's {@code time.ParseDuration}, which Envoy, Istio and Kubernetes users
 * already write, restricted to what HFI needs:
 *
 * <ul>
 *   <li>one or more {@code <number><unit>} pairs without spaces, units {@code ms}, {@code s},
 *       {@code m}, {@code h}; the pairs add up and may come in any order: {@code 250ms}, {@code
 *       30s}, {@code 1.5s}, {@code 1m30s}, {@code 2h45m};
 *   <li>a number is digits with an optional decimal fraction ({@code 1.5s}, not {@code .5s});
 *   <li>{@code 0} alone is zero, the only number that needs no unit;
 *   <li>the result is a whole number of milliseconds, HFI's resolution: {@code 1.5ms} is rejected;
 *   <li>no sign: negative durations are rejected;
 *   <li>ISO-8601 ({@code PT30S}, Java's {@code Duration.toString()}) is rejected, with the same
 *       duration in this grammar as the hint;
 *   <li>at most {@value #MAX_LENGTH} characters and {@code 2562047h} (Go's limit: the nanoseconds
 *       fit a {@code long}); white space around the text is ignored.
 * </ul>
 *
 * <p>Whether zero or a long duration makes sense is the caller's rule (a delay is 1ms..1h, a
 * timeout is positive). {@link #format} writes a duration so that {@link #parse} reads it back.
 * Stateless and thread-safe.
 *
 * <pre>{@code
 * Duration d = Durations.parse("1m30s");   // PT1M30S
 * String s = Durations.format(d);          // "1m30s"
 * }</pre>
 */
public final class Durations {
  /** The longest text {@link #parse} reads. */
  public static final int MAX_LENGTH = 64;

  /** Examples for messages that say what a duration looks like. */
  public static final String EXAMPLES = "500ms, 30s, 1.5s or 1m30s";

  private static final Pattern WHOLE = Pattern.compile("(?:[0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");
  private static final BigDecimal MAX_MILLIS = BigDecimal.valueOf(Long.MAX_VALUE / 1_000_000);

  private Durations() {}

  /**
   * Reads {@code text}.
   *
   * @throws IllegalArgumentException when {@code text} is not a duration; the message quotes it,
   *     says what is wrong and what to write instead, and reads well after {@code "field: "}
   */
  public static Duration parse(String text) {
    String problem = problem(text);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return read(text.trim());
  }

  /**
   * What is wrong with {@code text} as a duration, as {@code what: problem}, or null when {@link
   * #parse} reads it: for validators that collect every problem instead of stopping at the first.
   *
   * @param what how the message names the setting, e.g. {@code spec.duration}
   */
  public static String check(String what, String text) {
    String problem = problem(text);
    return problem == null ? null : what + ": " + problem;
  }

  private static String problem(String text) {
    if (text == null || text.isBlank()) {
      return "empty; write a duration such as " + EXAMPLES;
    }
    String t = text.trim();
    if (t.length() > MAX_LENGTH) {
      return quote(t) + " is longer than " + MAX_LENGTH + " characters";
    }
    if (t.equals("0")) {
      return null;
    }
    if (t.startsWith("-")) {
      return quote(t) + " is negative; a duration is 0 or more";
    }
    if (t.startsWith("P") || t.startsWith("p")) {
      return quote(t) + " is ISO-8601; write it as " + fromIso(t);
    }
    if (!WHOLE.matcher(t).matches()) {
      return quote(t)
          + " is not a duration such as "
          + EXAMPLES
          + " (numbers with units ms, s, m, h)";
    }
    BigDecimal millis = millis(t);
    if (millis.stripTrailingZeros().scale() > 0) {
      return quote(t) + " is finer than a millisecond, HFI's resolution";
    }
    if (millis.compareTo(MAX_MILLIS) > 0) {
      return quote(t) + " is longer than 2562047h";
    }
    return null;
  }

  /**
   * {@code d} in the grammar of {@link #parse}, shortest first: hours and minutes as whole numbers,
   * then seconds with a fraction, or milliseconds below one second: {@code 0s}, {@code 250ms},
   * {@code 1.5s}, {@code 1m30s}, {@code 2h}, {@code 1m500ms}. A negative {@code d} (for messages
   * about a wrong setting) gets a leading {@code -}, which {@link #parse} rejects, and null is
   * written {@code null}, as {@link String#valueOf(Object)} does; what is below a millisecond is
   * dropped.
   */
  public static String format(Duration d) {
    if (d == null) {
      return "null";
    }
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long h = ms / 3_600_000;
    long m = ms / 60_000 % 60;
    long rest = ms % 60_000;
    if (h > 0) {
      out.append(h).append('h');
    }
    if (m > 0) {
      out.append(m).append('m');
    }
    if (rest >= 1_000) {
      out.append(BigDecimal.valueOf(rest, 3).stripTrailingZeros().toPlainString()).append('s');
    } else if (rest > 0) {
      out.append(rest).append("ms");
    }
    return out.toString();
  }

  private static Duration read(String t) {
    return t.equals("0") ? Duration.ZERO : Duration.ofMillis(millis(t).longValueExact());
  }

  private static BigDecimal millis(String t) {
    BigDecimal millis = BigDecimal.ZERO;
    Matcher m = PART.matcher(t);
    while (m.find()) {
      long unit =
          switch (m.group(2)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            default -> 3_600_000L;
          };
      millis = millis.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)));
    }
    return millis;
  }

  private static String fromIso(String t) {
    try {
      Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
      return d.isNegative() ? "a duration of 0 or more" : format(d);
    } catch (DateTimeParseException e) {
      return "numbers with units ms, s, m, h, e.g. " + EXAMPLES;
    }
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }
}
