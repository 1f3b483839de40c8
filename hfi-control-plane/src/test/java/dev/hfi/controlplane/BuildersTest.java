package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Builders reject bad settings in {@code build()} with a message saying how to fix them. */
@Timeout(10)
class BuildersTest {
  @Test
  void serverNeedsAStore() {
    assertThatThrownBy(() -> ControlPlaneServer.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("withStore(new MemoryPolicyStore())");
  }

  @Test
  void serverRejectsBadSettings() {
    try (MemoryPolicyStore store = new MemoryPolicyStore()) {
      assertThatThrownBy(
              () -> ControlPlaneServer.builder().withStore(store).withPort(70000).build())
          .hasMessageContaining("port must be in 0..65535");
      assertThatThrownBy(() -> ControlPlaneServer.builder().withStore(store).withToken(" ").build())
          .hasMessageContaining("pass null to turn auth off");
      assertThatThrownBy(
              () -> ControlPlaneServer.builder().withStore(store).withMaxBodyBytes(10).build())
          .hasMessageContaining("maxBodyBytes must be at least 1024");
      assertThatThrownBy(
              () ->
                  ControlPlaneServer.builder()
                      .withStore(store)
                      .withStaleAfter(Duration.ZERO)
                      .build())
          .hasMessageContaining("staleAfter must be positive");
      assertThatThrownBy(
              () ->
                  ControlPlaneServer.builder()
                      .withStore(store)
                      .withNodeExpiry(Duration.ofMillis(-1))
                      .build())
          .hasMessageContaining("nodeExpiry must be positive");
    }
  }
}
