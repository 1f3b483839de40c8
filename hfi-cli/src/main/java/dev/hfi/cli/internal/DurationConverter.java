package dev.hfi.cli.internal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads durations the way policies write them: number-unit pairs with units {@code ms}, {@code s},
 * {@code m}, {@code h} ({@code 500ms}, {@code 30s}, {@code 1m30s}).
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern WHOLE = Pattern.compile("(?:[0-9]{1,9}(?:ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    if (value == null || !WHOLE.matcher(value.trim()).matches()) {
      throw new CommandLine.TypeConversionException(
          "expected a duration such as 500ms, 30s, 2m or 1m30s, got '" + value + "'");
    }
    Duration d = Duration.ZERO;
    Matcher m = PART.matcher(value.trim());
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              });
    }
    if (d.isZero()) {
      throw new CommandLine.TypeConversionException(
          "expected a positive duration such as 30s, got '" + value + "'");
    }
    return d;
  }
}
