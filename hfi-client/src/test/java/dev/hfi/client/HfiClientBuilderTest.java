package dev.hfi.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code HfiClient.builder().build()} names every bad setting at once, with the fix. */
@Timeout(10)
class HfiClientBuilderTest {
  @Test
  void aMissingBaseUriAndABadTimeoutAreNamedTogether() {
    assertThatThrownBy(() -> HfiClient.builder().withTimeout(Duration.ZERO).build())
        .isInstanceOf(HfiException.class)
        .hasMessage(
            "HfiClient.builder(): withBaseUri: required, e.g. http://127.0.0.1:8080;"
                + " withTimeout(0s): must be positive, e.g. 30s")
        .extracting(e -> ((HfiException) e).code())
        .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
  }

  @Test
  void theBaseUriMustBeHttpWithAHost() {
    assertThatThrownBy(() -> HfiClient.builder().withBaseUri(URI.create("ftp://x")).build())
        .hasMessage(
            "HfiClient.builder(): withBaseUri: \"ftp://x\" must be an http or https URI with a"
                + " host, e.g. http://127.0.0.1:8080");
    assertThatThrownBy(
            () ->
                HfiClient.builder()
                    .withBaseUri(URI.create("http:/no-host"))
                    .withTimeout(null)
                    .build())
        .hasMessageContaining("withBaseUri: \"http:/no-host\" must be an http or https URI")
        .hasMessageContaining("withTimeout(null): must be positive");
  }
}
