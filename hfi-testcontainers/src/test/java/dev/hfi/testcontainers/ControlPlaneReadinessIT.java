package dev.hfi.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.hfi.client.HfiClient;
import dev.hfi.client.PolicyCodec;
import dev.hfi.client.RuleSet;
import dev.hfi.client.RuleSetRejectedException;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.testkit.internal.HfiClientAcks;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness against the real control plane: filter instances are played by real long-poll calls
 * (the protocol the filter speaks, through {@link HfiClient#poll}), ACKs reach the check over the
 * control plane's event stream.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ControlPlaneReadinessIT {

  /**
   * How long a reporting poll is held when nothing changed. Not 1 ms: the control plane sometimes
   * never answers a long poll with a 1 ms wait (seen in about 6% of calls).
   */
  private static final Duration REPORT_WAIT = Duration.ofMillis(100);

  private static final Duration BRIEFLY = Duration.ofMillis(300);

  @TempDir Path dir;

  private MemoryPolicyStore store;
  private ControlPlaneServer server;
  private HfiClient client;

  @BeforeEach
  void startControlPlane() {
    store = new MemoryPolicyStore();
    server = ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
    client = HfiClient.builder().withBaseUri(server.uri()).build();
  }

  @AfterEach
  void stopControlPlane() throws Exception {
    client.close();
    server.close();
    store.close();
  }

  private long apply(String name) {
    String policy =
        "apiVersion: hfi.dev/v1alpha1\n"
            + "kind: FaultInjectionPolicy\n"
            + "metadata: {name: "
            + name
            + "}\n"
            + "spec:\n"
            + "  fault: {abort: {httpStatus: 503}}\n";
    return client.apply(policy, PolicyCodec.Format.YAML).revision();
  }

  /**
   * One filter instance's polls, as the filter makes them: long-poll until the rule set of {@code
   * revision} (or later) arrives, then report it applied.
   */
  private void instanceApplies(String node, String instance, long revision) {
    long version = 0;
    while (version < revision) {
      version =
          client
              .poll(node, instance, version, null, null, Duration.ofSeconds(10))
              .map(RuleSet::version)
              .orElse(version);
    }
    client.poll(node, instance, version, null, null, REPORT_WAIT);
  }

  @Test
  void readyOnlyWhenEveryWorkerOfEveryNodeAppliedTheCurrentRuleSet() throws Exception {
    long revision = apply("orders-down");
    HfiClientAcks acks = new HfiClientAcks(client, 2);
    CompletableFuture<Boolean> waiting =
        CompletableFuture.supplyAsync(() -> awaitAcked(acks, Set.of("orders", "payments")));

    instanceApplies("orders", "w1", revision);
    instanceApplies("payments", "w1", revision);
    instanceApplies("payments", "w2", revision);
    assertThat(acks.awaitAcked(Set.of("orders", "payments"), BRIEFLY)).isFalse();
    assertThat(acks.awaitAcked(Set.of("payments"), BRIEFLY)).isTrue();

    instanceApplies("orders", "w2", revision);
    assertThat(waiting.get(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aNewRuleSetMakesEarlierAcksInsufficient() throws Exception {
    long first = apply("first");
    HfiClientAcks acks = new HfiClientAcks(client, 1);
    instanceApplies("orders", "w1", first);
    assertThat(acks.awaitAcked(Set.of("orders"), BRIEFLY)).isTrue();

    long second = apply("second");
    instanceApplies("observer", "o1", second); // returns once the control plane serves it
    assertThat(acks.awaitAcked(Set.of("orders"), BRIEFLY)).isFalse();

    instanceApplies("orders", "w1", second);
    assertThat(acks.awaitAcked(Set.of("orders"), BRIEFLY)).isTrue();
  }

  @Test
  void aRejectedRuleSetFailsAtOnceWithTheFiltersError() {
    long version = apply("orders-down");
    client.poll("orders", "w1", 0, version, "path.regex: bad escape", REPORT_WAIT);

    assertThatThrownBy(
            () -> new HfiClientAcks(client, 1).awaitAcked(Set.of("orders"), Duration.ofSeconds(20)))
        .isInstanceOf(RuleSetRejectedException.class)
        .hasMessageContaining("orders/w1")
        .hasMessageContaining("path.regex: bad escape");
  }

  @Test
  void theContainerWaitsForTheFilterOfEachUpstreamThroughTheClient() throws Exception {
    long revision = apply("orders-down");
    HttpServer admin = liveAdmin();
    try {
      var envoy = new EnvoyContainerTest.LoopbackEnvoyContainer();
      envoy
          .withHostNetwork()
          .withAdminPort(admin.getAddress().getPort())
          .withConcurrency(1)
          .withControlPlane(client)
          .withUpstream("orders", URI.create("http://127.0.0.1:8081"))
          .withFilterWasm(Files.write(dir.resolve("f.wasm"), new byte[] {0, 'a', 's', 'm'}));
      envoy.configure();
      CompletableFuture<Void> ready = CompletableFuture.runAsync(envoy::awaitReady);

      // One worker plus the main thread's VM: Envoy's two filter instances for the node.
      instanceApplies("orders", "worker-0", revision);
      instanceApplies("orders", "main-thread", revision);

      ready.get(20, TimeUnit.SECONDS);
      assertThat(envoy.envoyConfig().controlPlanePort()).isEqualTo(server.port());
    } finally {
      admin.stop(0);
    }
  }

  private static boolean awaitAcked(HfiClientAcks acks, Set<String> nodes) {
    try {
      return acks.awaitAcked(nodes, Duration.ofSeconds(20));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Answers {@code /ready} as a started Envoy's admin does. */
  private static HttpServer liveAdmin() throws Exception {
    HttpServer admin =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    admin.createContext(
        "/ready",
        exchange -> {
          byte[] body = "LIVE\n".getBytes(StandardCharsets.US_ASCII);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    admin.start();
    return admin;
  }
}
