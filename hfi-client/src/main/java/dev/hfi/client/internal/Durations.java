package dev.hfi.client.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written the way Envoy, Istio and Go write them: one or more number-unit pairs, units
 * {@code ms}, {@code s}, {@code m}, {@code h} ({@code 500ms}, {@code 2s}, {@code 1m30s}).
 */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("(?:[0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private Durations() {}

  /**
   * Parses {@code text}, or returns null when it is not a duration. Plain digits are read as
   * milliseconds because the long-poll protocol allows {@code wait=30000}.
   */
  public static Duration parse(String text) {
    if (text == null) {
      return null;
    }
    String t = text.trim();
    if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
      return t.length() > 12 ? null : Duration.ofMillis(Long.parseLong(t));
    }
    if (t.length() > 64 || !WHOLE.matcher(t).matches()) {
      return null;
    }
    BigDecimal millis = BigDecimal.ZERO;
    Matcher m = PART.matcher(t);
    while (m.find()) {
      BigDecimal n = new BigDecimal(m.group(1));
      long unit =
          switch (m.group(2)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            default -> 3_600_000L;
          };
      millis = millis.add(n.multiply(BigDecimal.valueOf(unit)));
    }
    if (millis.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
      return null;
    }
    return Duration.ofMillis(millis.setScale(0, RoundingMode.HALF_UP).longValueExact());
  }

  /** A compact form such as {@code 90s} or {@code 250ms}, readable by {@link #parse}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1_000 == 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
