package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import java.io.File;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one place a store is chosen: what it opens, and every mistake named at once. */
class StoreSelectionTest {
  @Test
  void memoryOpensTheMemoryStore() {
    try (PolicyStore store = StoreSelection.memory().open()) {
      assertThat(store).isInstanceOf(MemoryPolicyStore.class);
    }
  }

  @Test
  void etcdSettingsWithTheMemoryStoreAreEachNamed() {
    StoreSelection s =
        new StoreSelection(
            StoreSelection.Kind.memory,
            List.of("http://127.0.0.1:2379"),
            "/x/",
            null,
            null,
            new File("ca.pem"),
            null,
            null,
            Duration.ofSeconds(3),
            null);
    assertThatThrownBy(s::open)
        .isInstanceOfSatisfying(
            HfiException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
        .hasMessage(
            "--etcd-endpoints needs --store etcd; --etcd-prefix needs --store etcd;"
                + " --etcd-ca needs --store etcd; --etcd-lease-ttl needs --store etcd");
  }

  @Test
  void etcdWithoutHfiStoreEtcdOnTheClasspathNamesTheModuleAtOnce() {
    // hfi-store-etcd depends on this module, so it is never on this module's test classpath.
    assertThat(StoreSelection.Kind.etcd.available()).isFalse();
    assertThat(StoreSelection.Kind.memory.available()).isTrue();
    assertThatThrownBy(() -> StoreSelection.etcd(List.of("http://127.0.0.1:2379"), null).open())
        .isInstanceOfSatisfying(
            HfiException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
        .hasMessage(
            "--store etcd: the etcd store is in dev.hfi:hfi-store-etcd, which is not on the"
                + " classpath; add dev.hfi:hfi-store-etcd (same version as hfi-control-plane) to"
                + " the dependencies");
  }

  @Test
  void theMissingModuleComesFirstAmongTheProblems() {
    assertThatThrownBy(() -> StoreSelection.etcd(List.of(), null).open())
        .hasMessageStartingWith("--store etcd: the etcd store is in dev.hfi:hfi-store-etcd")
        .hasMessageEndingWith("; --store etcd needs --etcd-endpoints, e.g. http://127.0.0.1:2379");
  }
}
