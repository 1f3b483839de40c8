package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad settings of an Envoy process are all named in one exception, before Envoy is looked for. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EnvoyProcessBuilderTest {

  @Test
  void everyBadSettingIsNamedInOneException(@TempDir Path dir) {
    Path notEnvoy = dir.resolve("envoy");
    assertThatThrownBy(
            () ->
                EnvoyProcess.builder()
                    .withControlPlane(URI.create("http://127.0.0.1:8080"))
                    .withUpstream("Orders", URI.create("http://127.0.0.1:8081"))
                    .withConcurrency(0)
                    .withLogLevel("loud")
                    .withBinary(notEnvoy)
                    .withPollTimeout(Duration.ofMinutes(10))
                    .build())
        .isInstanceOf(TestkitException.class)
        .hasMessageContaining("withUpstream name: must be a DNS-1123 label")
        .hasMessageContaining("withConcurrency(0): Envoy needs at least 1 worker thread")
        .hasMessageContaining("withLogLevel(\"loud\"): not an Envoy log level")
        .hasMessageContaining("withBinary(" + notEnvoy + "): not an executable file")
        .hasMessageContaining("withPollTimeout(10m): must be between 1 ms and 5 minutes")
        .extracting(e -> ((TestkitException) e).code())
        .isEqualTo(TestkitException.Code.INVALID_CONFIGURATION);
  }
}
