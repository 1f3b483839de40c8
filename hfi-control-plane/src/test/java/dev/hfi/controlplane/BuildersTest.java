package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
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

  @Test
  void etcdStoreNamesEveryBadSettingAtOnce() {
    assertThatThrownBy(
            () ->
                EtcdPolicyStore.builder()
                    .withEndpoints("127.0.0.1:2379")
                    .withPrefix("hfi")
                    .withCredentials("root", null)
                    .withLeaseTtl(Duration.ofMillis(1500))
                    .build())
        .isInstanceOf(HfiException.class)
        .hasMessage(
            "etcd endpoint \"127.0.0.1:2379\" must be http://HOST:PORT or https://HOST:PORT, e.g."
                + " http://127.0.0.1:2379; etcd prefix must start and end with '/', e.g. /hfi/, got"
                + " \"hfi\"; etcd user and password go together: give both --etcd-user and"
                + " --etcd-password; etcd lease TTL must be at least 2s (etcd counts in whole"
                + " seconds), got 1.5s")
        .extracting(e -> ((HfiException) e).code())
        .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    assertThatThrownBy(() -> EtcdPolicyStore.builder().build())
        .hasMessage("etcd endpoints are required, e.g. --etcd-endpoints http://127.0.0.1:2379");
  }
}
