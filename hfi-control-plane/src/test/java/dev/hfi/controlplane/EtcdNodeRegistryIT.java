package dev.hfi.controlplane;

import static dev.hfi.controlplane.NodeLifecycleIT.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.AwaitTimeoutException;
import dev.hfi.client.ControlPlaneEvent;
import dev.hfi.client.DataPlaneInstance;
import dev.hfi.client.DataPlaneStaleException;
import dev.hfi.client.HfiClient;
import dev.hfi.client.Streams;
import dev.hfi.client.TestPolicies;
import dev.hfi.testsupport.EtcdProcess;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With the etcd store the replicas share one node registry: an instance that polls replica A is
 * listed by replica B with the same version, B's ACK waits wait for it, a restarted replica still
 * lists it, and every replica sees it go stale.
 */
@Timeout(120)
class EtcdNodeRegistryIT {

  /** One control-plane replica: its own etcd client, server and HTTP client, like a process. */
  private static final class Replica implements AutoCloseable {
    final EtcdPolicyStore store;
    final ControlPlaneServer server;
    final HfiClient client;

    Replica(EtcdProcess etcd, int port, Duration staleAfter) {
      store = EtcdPolicyStore.builder().withEndpoints(etcd.endpoint()).build();
      server =
          ControlPlaneServer.builder()
              .withPort(port)
              .withStore(store)
              .withStaleAfter(staleAfter)
              .build()
              .start();
      client =
          HfiClient.builder().withBaseUri(server.uri()).withTimeout(Duration.ofSeconds(20)).build();
    }

    @Override
    public void close() {
      client.close();
      server.close();
      store.close();
    }
  }

  @Test
  void everyReplicaListsAndWaitsForAnInstanceThatPollsAnotherAndARestartKeepsIt() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      Replica a = new Replica(etcd, 0, ControlPlaneServer.DEFAULT_STALE_AFTER);
      int portA = a.server.port();
      try (Replica b = new Replica(etcd, 0, ControlPlaneServer.DEFAULT_STALE_AFTER);
          Streams.Collected<ControlPlaneEvent> eventsOfB = Streams.events(b.client)) {
        CountDownLatch mayApply = new CountDownLatch(1);
        long first = a.server.ruleSet().version();
        try (PollingInstance poller =
            new PollingInstance(
                a.client,
                "orders",
                "i1",
                v -> {
                  if (v > first) {
                    awaitQuietly(mayApply);
                  }
                  return true;
                })) {
          ControlPlaneEvent ack =
              until(eventsOfB.items(), e -> e.type().equals("ack") && e.version() == first);
          assertThat(ack.node() + "/" + ack.instance()).isEqualTo("orders/i1");

          long revision = b.client.apply(TestPolicies.abort("orders", 503)).revision();
          assertThatThrownBy(() -> b.client.awaitApplied(revision, Duration.ofMillis(500)))
              .isInstanceOf(AwaitTimeoutException.class)
              .hasMessageContaining("orders/i1 (applied " + first + ")");
          CompletableFuture<Void> waitOnB =
              CompletableFuture.runAsync(
                  () -> b.client.awaitApplied(revision, Duration.ofSeconds(20)));
          mayApply.countDown();
          waitOnB.get(20, TimeUnit.SECONDS);
          try (Streams.Collected<ControlPlaneEvent> eventsOfA = Streams.events(a.client)) {
            if (!applied(a.client.nodes().items(), revision)) {
              until(eventsOfA.items(), e -> e.type().equals("ack") && e.version() >= revision);
            }
          }
          assertThat(summary(b.client.nodes().items()))
              .isEqualTo(summary(a.client.nodes().items()))
              .containsExactly("orders/i1 " + revision + " ACK live");
        }

        a.close();
        a = new Replica(etcd, portA, ControlPlaneServer.DEFAULT_STALE_AFTER);
        assertThat(a.client.nodes().items())
            .extracting(DataPlaneInstance::id, DataPlaneInstance::stale)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("orders/i1", false));
      } finally {
        a.close();
      }
    }
  }

  @Test
  void aLongPollWritesToEtcdOnChangeNotOnEveryPoll() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        Replica a = new Replica(etcd, 0, ControlPlaneServer.DEFAULT_STALE_AFTER);
        Client raw = Client.builder().endpoints(etcd.endpoint()).build();
        Streams.Collected<ControlPlaneEvent> events = Streams.events(a.client)) {
      a.client.poll("orders", "i1", 1, null, null, Duration.ofMillis(1));
      until(events.items(), e -> e.type().equals("ack"));
      ByteSequence key = ByteSequence.from("/hfi/nodes/orders/i1", StandardCharsets.UTF_8);
      long written =
          raw.getKVClient().get(key).get(10, TimeUnit.SECONDS).getKvs().get(0).getModRevision();

      for (int i = 0; i < 20; i++) {
        a.client.poll("orders", "i1", 1, null, null, Duration.ofMillis(1));
      }
      assertThat(
              raw.getKVClient().get(key).get(10, TimeUnit.SECONDS).getKvs().get(0).getModRevision())
          .as("no write within the 15 s heartbeat while nothing changed")
          .isEqualTo(written);

      long revision = a.client.apply(TestPolicies.abort("orders", 503)).revision();
      a.client.poll("orders", "i1", revision, null, null, Duration.ofMillis(1));
      until(events.items(), e -> e.type().equals("ack") && e.version() == revision);
      assertThat(
              raw.getKVClient().get(key).get(10, TimeUnit.SECONDS).getKvs().get(0).getModRevision())
          .isGreaterThan(written);
    }
  }

  @Test
  void anInstanceThatStopsPollingOneReplicaIsStaleOnTheOtherAndItsWaitsFailNamingIt()
      throws Exception {
    Duration staleAfter = Duration.ofSeconds(2);
    try (EtcdProcess etcd = EtcdProcess.start();
        Replica a = new Replica(etcd, 0, staleAfter);
        Replica b = new Replica(etcd, 0, staleAfter);
        Streams.Collected<ControlPlaneEvent> eventsOfB = Streams.events(b.client)) {
      try (PollingInstance poller = new PollingInstance(a.client, "orders", "i1", v -> true)) {
        until(eventsOfB.items(), e -> e.type().equals("ack"));
      }
      ControlPlaneEvent stale = until(eventsOfB.items(), e -> e.type().equals("stale"));
      assertThat(stale.node() + "/" + stale.instance()).isEqualTo("orders/i1");
      assertThat(b.client.nodes().items())
          .singleElement()
          .satisfies(i -> assertThat(i.stale()).isTrue());

      long revision = b.client.apply(TestPolicies.abort("orders", 503)).revision();
      long start = System.nanoTime();
      assertThatThrownBy(() -> b.client.awaitApplied(revision, Duration.ofSeconds(30)))
          .isInstanceOf(DataPlaneStaleException.class)
          .hasMessageContaining("orders/i1")
          .hasMessageContaining("last seen " + stale.lastSeen());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
  }

  private static boolean applied(List<DataPlaneInstance> items, long revision) {
    return items.stream().allMatch(i -> i.appliedVersion() >= revision);
  }

  private static List<String> summary(List<DataPlaneInstance> items) {
    return items.stream()
        .map(
            i ->
                i.id()
                    + " "
                    + i.appliedVersion()
                    + " "
                    + i.status()
                    + " "
                    + (i.stale() ? "stale" : "live"))
        .toList();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
