package dev.hfi.cli.internal;

import dev.hfi.client.Durations;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Reads the CLI's duration options in the grammar of {@link Durations} ({@code 500ms}, {@code 30s},
 * {@code 1.5s}, {@code 1m30s}); every one of them must be positive.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    Duration d;
    try {
      d = Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
    if (d.isZero()) {
      throw new CommandLine.TypeConversionException(
          "expected a positive duration such as 30s, got '" + value + "'");
    }
    return d;
  }
}
