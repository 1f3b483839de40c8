package dev.hfi.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Envoy settings EnvoyProcess and EnvoyContainer share are checked by one piece of code. */
class EnvoySettingsTest {
  @Test
  void everyLogLevelEnvoyAcceptsPassesAndAnotherIsNamedWithTheChoices() {
    for (String level : EnvoySettings.LOG_LEVELS) {
      assertThat(EnvoySettings.logLevelProblem(level)).as(level).isNull();
    }
    assertThat(EnvoySettings.logLevelProblem("warn")).isNull();
    assertThat(EnvoySettings.logLevelProblem("loud"))
        .isEqualTo(
            "withLogLevel(\"loud\"): not an Envoy log level; use one of [critical, debug, error,"
                + " info, off, trace, warn, warning]");
    assertThat(EnvoySettings.logLevelProblem(null)).startsWith("withLogLevel(\"null\")");
  }

  @Test
  void concurrencyNeedsAWorker() {
    assertThat(EnvoySettings.concurrencyProblem(1)).isNull();
    assertThat(EnvoySettings.concurrencyProblem(0))
        .isEqualTo("withConcurrency(0): Envoy needs at least 1 worker thread");
  }
}
