package dev.hfi.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiClient;
import dev.hfi.client.RuleSet;
import dev.hfi.client.StoreUnavailableException;
import dev.hfi.client.Streams;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.testsupport.EtcdProcess;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * etcd taken away and brought back under a running control plane: writes fail with 503, reads and
 * the distribution keep serving the last known state, readiness follows etcd, and all of it comes
 * back by itself (the figures are measured by {@code EtcdStoreBenchmark}).
 */
@Tag("slow")
@Timeout(120)
class EtcdOutageIT {
  @Test
  void anEtcdOutageFailsWritesKeepsServingAndRecoversByItself() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        EtcdPolicyStore store = EtcdPolicyStore.builder().withEndpoints(etcd.endpoint()).build();
        ControlPlaneServer server =
            ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
        HfiClient client =
            HfiClient.builder()
                .withBaseUri(server.uri())
                .withTimeout(Duration.ofSeconds(10))
                .build()) {
      ApplyResult a = client.apply(TestPolicies.abort("a", 503));
      Streams.Collected<RuleSet> sse = Streams.ruleSets(client, null);
      BlockingQueue<RuleSet> pushed = sse.items();
      RuleSet first = pushed.poll(10, TimeUnit.SECONDS);
      while (first.version() < a.revision()) {
        // Subscribed before the distributor compiled "a": its rule set follows.
        first = pushed.poll(10, TimeUnit.SECONDS);
      }
      assertThat(first.version()).isEqualTo(a.revision());

      etcd.kill();

      assertThat(client.isReady()).isFalse();
      assertThatThrownBy(() -> client.apply(TestPolicies.abort("b", 503)))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("etcd at " + etcd.endpoint())
          .hasMessageContaining("retry when /readyz reports ready");
      assertThat(client.list().items()).extracting(FaultInjectionPolicy::name).containsExactly("a");
      assertThat(client.get("a")).isEqualTo(a.policy());
      RuleSet served = client.poll("n", "i", 0, null, null, Duration.ofSeconds(1)).orElseThrow();
      assertThat(served.version()).isEqualTo(a.revision());
      assertThat(server.ruleSet().version()).isEqualTo(a.revision());

      etcd.restart();
      try (EtcdPolicyStore other =
          EtcdPolicyStore.builder().withEndpoints(etcd.endpoint()).build()) {
        long c = other.apply(TestPolicies.abort("c", 503)).revision();
        RuleSet resumed = pushed.poll(30, TimeUnit.SECONDS);
        assertThat(resumed).as("the distribution's watch resumed after etcd came back").isNotNull();
        assertThat(resumed.version()).isEqualTo(c);
      }
      ApplyResult b = client.apply(TestPolicies.abort("b", 503));
      assertThat(b.outcome()).isEqualTo(ApplyResult.Outcome.CREATED);
      assertThat(pushed.poll(10, TimeUnit.SECONDS).version()).isEqualTo(b.revision());
      assertThat(client.isReady()).isTrue();
      sse.close();
    }
  }
}
