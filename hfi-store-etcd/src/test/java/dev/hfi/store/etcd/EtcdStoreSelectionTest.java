package dev.hfi.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import dev.hfi.controlplane.PolicyStore;
import dev.hfi.controlplane.StoreSelection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With this module on the classpath, {@link StoreSelection} finds the etcd store (through {@code
 * META-INF/services}) and reports its settings' problems with the CLI's option names. No etcd is
 * needed: the store connects lazily.
 */
class EtcdStoreSelectionTest {
  @Test
  void etcdIsFoundAndOpensTheEtcdStore() {
    assertThat(StoreSelection.Kind.etcd.available()).isTrue();
    try (PolicyStore store =
        new StoreSelection(
                StoreSelection.Kind.etcd,
                List.of("http://127.0.0.1:1"),
                "/elsewhere/",
                null,
                null,
                null,
                null,
                null,
                Duration.ofSeconds(3),
                Duration.ofMillis(500))
            .open()) {
      assertThat(store).isInstanceOf(EtcdPolicyStore.class);
    }
  }

  @Test
  void etcdStillNeedsEndpoints() {
    assertThatThrownBy(() -> StoreSelection.etcd(List.of(), null).open())
        .isInstanceOf(HfiException.class)
        .hasMessage("--store etcd needs --etcd-endpoints, e.g. http://127.0.0.1:2379");
  }

  @Test
  void anEtcdBuilderProblemIsInvalidInputNotACrash() {
    StoreSelection s =
        new StoreSelection(
            StoreSelection.Kind.etcd,
            List.of("http://127.0.0.1:2379"),
            null,
            "user",
            null,
            null,
            null,
            null,
            null,
            null);
    assertThatThrownBy(s::open)
        .isInstanceOfSatisfying(
            HfiException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
        .hasMessageContaining("--etcd-user");
  }
}
