package dev.hfi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one duration grammar: what it reads, what it refuses and why, and how it writes. */
@Timeout(10)
class DurationsTest {

  @ParameterizedTest(name = "\"{0}\" = {1} ms")
  @CsvSource({
    "0, 0",
    "0s, 0",
    "0ms, 0",
    "1ms, 1",
    "250ms, 250",
    "2s, 2000",
    "1.5s, 1500",
    "0.25s, 250",
    "10m, 600000",
    "1m30s, 90000",
    "30s1m, 90000",
    "1h, 3600000",
    "1.5h, 5400000",
    "2h45m, 9900000",
    "1h2m3s4ms, 3723004",
    "'  30s  ', 30000",
    "2562047h, 9223369200000",
  })
  void reads(String text, long millis) {
    assertThat(Durations.check("d", text)).isNull();
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "\"{0}\": {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''           | empty; write a duration such as 500ms, 30s, 1.5s or 1m30s",
        "'   '        | empty; write a duration such as 500ms, 30s, 1.5s or 1m30s",
        "30           | \"30\" is not a duration such as 500ms, 30s, 1.5s or 1m30s",
        "30000        | \"30000\" is not a duration such as",
        "1m 30s       | \"1m 30s\" is not a duration such as",
        "1d           | \"1d\" is not a duration such as",
        "1us          | \"1us\" is not a duration such as",
        "10S          | \"10S\" is not a duration such as",
        ".5s          | \".5s\" is not a duration such as",
        "5.s          | \"5.s\" is not a duration such as",
        "soon         | \"soon\" is not a duration such as 500ms, 30s, 1.5s or 1m30s (numbers with"
            + " units ms, s, m, h)",
        "+1s          | \"+1s\" is not a duration such as",
        "-1s          | \"-1s\" is negative; a duration is 0 or more",
        "PT30S        | \"PT30S\" is ISO-8601; write it as 30s",
        "PT1M30S      | \"PT1M30S\" is ISO-8601; write it as 1m30s",
        "pt0.25s      | \"pt0.25s\" is ISO-8601; write it as 250ms",
        "P1Y          | \"P1Y\" is ISO-8601; write it as numbers with units ms, s, m, h",
        "1.5ms        | \"1.5ms\" is finer than a millisecond, HFI's resolution",
        "1.0005s      | \"1.0005s\" is finer than a millisecond",
        "2562048h     | \"2562048h\" is longer than 2562047h",
      })
  void refuses(String text, String message) {
    assertThat(Durations.check("spec.duration", text)).startsWith("spec.duration: " + message);
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void refusesNullAndOverlongText() {
    assertThat(Durations.check("wait", null)).startsWith("wait: empty;");
    assertThat(Durations.check("wait", "1s".repeat(33)))
        .isEqualTo("wait: \"" + "1s".repeat(33) + "\" is longer than 64 characters");
  }

  @ParameterizedTest(name = "{0} ms -> \"{1}\"")
  @CsvSource({
    "0, 0s",
    "1, 1ms",
    "250, 250ms",
    "1000, 1s",
    "1500, 1.5s",
    "1250, 1.25s",
    "90000, 1m30s",
    "60500, 1m500ms",
    "61500, 1m1.5s",
    "600000, 10m",
    "3600000, 1h",
    "5400000, 1h30m",
    "3723004, 1h2m3.004s",
    "-1500, -1.5s",
  })
  void formats(long millis, String text) {
    assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 999, 1000, 1001, 59_999, 60_000, 3_599_999, 86_400_000, 123_456_789})
  void parseReadsWhatFormatWrites(long millis) {
    Duration d = Duration.ofMillis(millis);
    assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
  }

  @Test
  void formatDropsWhatIsBelowAMillisecondAndWritesNullAsNull() {
    assertThat(Durations.format(Duration.ofNanos(1_500_000))).isEqualTo("1ms");
    assertThat(Durations.format(null)).isEqualTo("null");
  }
}
