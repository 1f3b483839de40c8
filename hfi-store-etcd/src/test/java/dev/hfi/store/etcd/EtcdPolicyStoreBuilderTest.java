package dev.hfi.store.etcd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The builder rejects bad settings in {@code build()}, every one named at once with its fix. */
@Timeout(10)
class EtcdPolicyStoreBuilderTest {
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
