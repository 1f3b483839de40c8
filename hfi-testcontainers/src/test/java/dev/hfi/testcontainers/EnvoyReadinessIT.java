package dev.hfi.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.hfi.testkit.FilterAckCheck;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.ContainerLaunchException;

/**
 * The container's readiness against a real HTTP server that answers {@code /ready} the way Envoy's
 * admin does (no Envoy image can be pulled on the build machines): ready means LIVE first, then the
 * filter's ACK.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EnvoyReadinessIT {

  @TempDir Path dir;

  private HttpServer admin;
  private final AtomicInteger readyRequests = new AtomicInteger();
  private final AtomicBoolean liveServed = new AtomicBoolean();
  private volatile int answersBeforeLive;

  @BeforeEach
  void startAdmin() throws IOException {
    admin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    admin.createContext(
        "/ready",
        exchange -> {
          boolean live = readyRequests.incrementAndGet() > answersBeforeLive;
          if (live) {
            liveServed.set(true); // before answering: the client acts on the answer at once
          }
          byte[] body =
              (live ? "LIVE\n" : "PRE_INITIALIZING\n").getBytes(StandardCharsets.US_ASCII);
          exchange.sendResponseHeaders(live ? 200 : 503, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    admin.start();
  }

  @AfterEach
  void stopAdmin() {
    admin.stop(0);
  }

  private EnvoyContainerTest.LoopbackEnvoyContainer envoy(FilterAckCheck acks) throws IOException {
    Path wasm =
        Files.write(dir.resolve("hfi-filter.wasm"), new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
    EnvoyContainerTest.LoopbackEnvoyContainer envoy =
        new EnvoyContainerTest.LoopbackEnvoyContainer();
    envoy
        .withHostNetwork()
        .withAdminPort(admin.getAddress().getPort())
        .withControlPlane(URI.create("http://127.0.0.1:8080"), acks)
        .withUpstream("orders", URI.create("http://127.0.0.1:8081"))
        .withUpstream("payments", "payments-proxy", URI.create("http://127.0.0.1:8082"))
        .withFilterWasm(wasm);
    envoy.configure();
    return envoy;
  }

  @Test
  void readyOnceEnvoyIsLiveAndThenEveryNodeHasAcked() throws Exception {
    answersBeforeLive = 3;
    List<Set<String>> asked = new CopyOnWriteArrayList<>();
    AtomicBoolean liveBeforeAck = new AtomicBoolean();
    var envoy =
        envoy(
            (nodes, timeout) -> {
              liveBeforeAck.set(liveServed.get());
              asked.add(nodes);
              return true;
            });

    envoy.awaitReady();

    assertThat(readyRequests.get()).isEqualTo(4);
    assertThat(liveBeforeAck).isTrue();
    assertThat(asked).containsExactly(Set.of("orders", "payments-proxy"));
  }

  @Test
  void anEnvoyThatNeverGetsLiveFailsWithItsLastAnswerAndTheFilterIsNotAsked() throws Exception {
    answersBeforeLive = Integer.MAX_VALUE;
    AtomicBoolean asked = new AtomicBoolean();
    var envoy =
        envoy(
            (nodes, timeout) -> {
              asked.set(true);
              return true;
            });
    envoy.withStartupTimeout(Duration.ofMillis(800));

    assertThatThrownBy(() -> envoy.awaitReady())
        .isInstanceOf(ContainerLaunchException.class)
        .hasMessageContaining("Envoy did not become ready within 800 ms")
        .hasMessageContaining("/ready last answered 503 PRE_INITIALIZING");
    assertThat(asked).isFalse();
  }

  @Test
  void aFilterThatDoesNotAckFailsNamingTheNodesAndTheControlPlane() throws Exception {
    answersBeforeLive = 0;
    var envoy = envoy((nodes, timeout) -> false);

    assertThatThrownBy(() -> envoy.awaitReady())
        .isInstanceOf(ContainerLaunchException.class)
        .hasMessageContaining("HFI filter of node(s) [orders, payments-proxy] did not ACK")
        .hasMessageContaining("control plane at http://127.0.0.1:8080");
  }

  @Test
  void theAckCheckGetsWhatIsLeftOfTheStartupTimeout() throws Exception {
    answersBeforeLive = 2;
    AtomicReference<Duration> given = new AtomicReference<>();
    var envoy =
        envoy(
            (nodes, timeout) -> {
              given.set(timeout);
              return true;
            });
    envoy.withStartupTimeout(Duration.ofSeconds(20));

    envoy.awaitReady();

    assertThat(given.get()).isPositive().isLessThan(Duration.ofSeconds(20));
  }
}
