package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.AckTracker;
import dev.hfi.client.AwaitTimeoutException;
import dev.hfi.client.ControlPlaneEvent;
import dev.hfi.client.DataPlaneInstance;
import dev.hfi.client.Streams;
import dev.hfi.client.TestPolicies;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Data-plane instances leave {@code /v1/nodes}: by expiry when they stop polling, or at once when
 * their data plane says goodbye ({@code DELETE /v1/nodes/...}); either way a {@code removed} event
 * is published and ACK waits stop waiting for them.
 */
@Timeout(60)
class NodeLifecycleIT {

  @Test
  void anInstanceThatStopsPollingGoesStaleThenIsDroppedAfterTheNodeExpiry() throws Exception {
    try (ServerFixture f =
            new ServerFixture(
                b ->
                    b.withStaleAfter(Duration.ofMillis(300))
                        .withNodeExpiry(Duration.ofSeconds(1)));
        Streams.Collected<ControlPlaneEvent> events = Streams.events(f.client)) {
      long seenAt = System.nanoTime();
      poll(f, "orders", "gone-1");

      ControlPlaneEvent stale = until(events.items(), e -> e.type().equals("stale"));
      assertThat(stale.instance()).isEqualTo("gone-1");
      assertThat(f.client.nodes().items())
          .singleElement()
          .satisfies(i -> assertThat(i.stale()).isTrue());

      ControlPlaneEvent removed = until(events.items(), e -> e.type().equals("removed"));
      assertThat((System.nanoTime() - seenAt) / 1_000_000).isGreaterThanOrEqualTo(1000);
      assertThat(removed.node()).isEqualTo("orders");
      assertThat(removed.instance()).isEqualTo("gone-1");
      assertThat(removed.action()).isEqualTo("expired");
      assertThat(removed.lastSeen()).isNotNull();
      assertThat(f.client.nodes().items()).isEmpty();
    }
  }

  @Test
  void goodbyeRemovesExactlyThatInstanceAtOnce() throws Exception {
    try (ServerFixture f = new ServerFixture();
        Streams.Collected<ControlPlaneEvent> events = Streams.events(f.client)) {
      poll(f, "orders", "a1");
      poll(f, "orders", "a2");
      poll(f, "payments", "p1");

      ServerFixture.Answer r = f.send("DELETE", "/v1/nodes/orders/instances/a1", null, null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).contains("\"instance\":\"a1\"").doesNotContain("a2");
      ControlPlaneEvent removed = until(events.items(), e -> e.type().equals("removed"));
      assertThat(removed.node() + "/" + removed.instance()).isEqualTo("orders/a1");
      assertThat(removed.action()).isEqualTo("deleted");
      assertThat(f.client.nodes().items())
          .extracting(DataPlaneInstance::id)
          .containsExactly("orders/a2", "payments/p1");

      assertThat(f.client.removeInstance("orders", "a2"))
          .hasValueSatisfying(i -> assertThat(i.id()).isEqualTo("orders/a2"));
      assertThat(f.client.removeInstance("orders", "a2")).as("already gone").isEmpty();
      assertThat(f.client.nodes().items())
          .extracting(DataPlaneInstance::id)
          .containsExactly("payments/p1");
    }
  }

  @Test
  void deletingANodeRemovesEveryInstanceOfIt() throws Exception {
    try (ServerFixture f = new ServerFixture()) {
      poll(f, "orders", "a1");
      poll(f, "orders", "a2");
      poll(f, "payments", "p1");
      assertThat(f.client.removeNode("orders"))
          .extracting(DataPlaneInstance::id)
          .containsExactly("orders/a1", "orders/a2");
      assertThat(f.client.nodes().items())
          .extracting(DataPlaneInstance::id)
          .containsExactly("payments/p1");
      assertThat(f.client.removeNode("orders")).isEmpty();
    }
  }

  @Test
  void unknownOrMalformedGoodbyesAreNamed() {
    try (ServerFixture f = new ServerFixture()) {
      poll(f, "orders", "a1");
      ServerFixture.Answer unknown = f.send("DELETE", "/v1/nodes/orders/instances/zz", null, null);
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.body())
          .contains("\"code\":\"NotFound\"")
          .contains("instance \\\"zz\\\" of node \\\"orders\\\" not found");
      ServerFixture.Answer noNode = f.send("DELETE", "/v1/nodes/billing", null, null);
      assertThat(noNode.status()).isEqualTo(404);
      assertThat(noNode.body()).contains("node \\\"billing\\\" not found");

      ServerFixture.Answer tooLong =
          f.send("DELETE", "/v1/nodes/orders/instances/" + "x".repeat(254), null, null);
      assertThat(tooLong.status()).isEqualTo(400);
      assertThat(tooLong.body())
          .contains("\"code\":\"Invalid\"")
          .contains("path parameter instance: at most 253 characters");
      ServerFixture.Answer blank = f.send("DELETE", "/v1/nodes/%20", null, null);
      assertThat(blank.status()).isEqualTo(400);
      assertThat(blank.body()).contains("path parameter node: must not be blank");
      assertThat(f.client.nodes().items())
          .extracting(DataPlaneInstance::id)
          .containsExactly("orders/a1");
    }
  }

  @Test
  void anAckWaitStopsWaitingForARemovedInstance() throws Exception {
    try (ServerFixture f = new ServerFixture()) {
      poll(f, "orders", "silent"); // applied the first rule set, then never polls again
      long revision = f.client.apply(TestPolicies.abort("orders", 503)).revision();
      try (AckTracker acks = AckTracker.open(f.client, Duration.ofSeconds(10))) {
        assertThatThrownBy(() -> acks.await(revision, Duration.ofMillis(300)))
            .isInstanceOf(AwaitTimeoutException.class)
            .hasMessageContaining("orders/silent");
        CompletableFuture<Void> waiting =
            CompletableFuture.runAsync(() -> acks.await(revision, Duration.ofSeconds(20)));
        assertThat(f.client.removeInstance("orders", "silent")).isPresent();
        waiting.get(20, TimeUnit.SECONDS);
      }
      f.client.awaitApplied(revision, Duration.ofSeconds(5));
    }
  }

  /** One long poll of {@code node}/{@code instance}, as a filter's, ended at once. */
  private static void poll(ServerFixture f, String node, String instance) {
    f.client.poll(node, instance, 1, null, null, Duration.ofMillis(1));
  }

  private static ControlPlaneEvent until(
      BlockingQueue<ControlPlaneEvent> q, Predicate<ControlPlaneEvent> wanted)
      throws InterruptedException {
    while (true) {
      ControlPlaneEvent e = q.poll(10, TimeUnit.SECONDS);
      assertThat(e).as("an event within 10s").isNotNull();
      if (wanted.test(e)) {
        return e;
      }
    }
  }
}
