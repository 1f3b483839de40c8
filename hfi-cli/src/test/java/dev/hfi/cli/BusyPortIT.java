package dev.hfi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.ControlPlaneEvent;
import dev.hfi.client.HfiClient;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The serving commands on a port that something else holds: exit code 1, one line naming the port
 * and the option that changes it, and nothing left behind (no data plane registered with the
 * control plane).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BusyPortIT {
  private ServerSocket held;
  private String busy;

  @BeforeEach
  void holdAPort() throws IOException {
    held = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    busy = "127.0.0.1:" + held.getLocalPort();
  }

  @AfterEach
  void release() throws IOException {
    held.close();
  }

  private String port() {
    return Integer.toString(held.getLocalPort());
  }

  private String message(String option) {
    return "error: cannot listen on "
        + busy
        + ": the port is in use; choose another with "
        + option
        + " (0 picks a free one)\n";
  }

  @ParameterizedTest(name = "--data-plane {0}")
  @ValueSource(strings = {"embedded", "envoy"})
  void proxyExitsWith1NamingListenAndRegistersNothing(String dataPlane) throws Exception {
    try (MemoryPolicyStore store = new MemoryPolicyStore();
        ControlPlaneServer server =
            ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
        HfiClient client = HfiClient.builder().withBaseUri(server.uri()).build()) {
      List<ControlPlaneEvent> events = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> open = new CompletableFuture<>();
      CompletableFuture<Void> marker = new CompletableFuture<>();
      try (HfiClient.Subscription s =
          client.subscribeEvents(
              new HfiClient.StreamListener<>() {
                @Override
                public void onOpen() {
                  open.complete(null);
                }

                @Override
                public void onEvent(ControlPlaneEvent e) {
                  events.add(e);
                  if ("policy".equals(e.type()) && "marker".equals(e.name())) {
                    marker.complete(null);
                  }
                }
              })) {
        open.get(30, TimeUnit.SECONDS);
        Cli.Result r =
            Cli.against(server.uri())
                .run(
                    "proxy",
                    "--listen",
                    port(),
                    "--upstream",
                    "http://127.0.0.1:9",
                    "--node",
                    "busy-proxy",
                    "--data-plane",
                    dataPlane);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(message("--listen"));
        assertThat(r.out()).isEmpty();
        // Events arrive in order: once the marker's has, any report of the failed proxy would
        // have arrived before it.
        client.apply(TestPolicies.abort("marker", 503));
        marker.get(30, TimeUnit.SECONDS);
        assertThat(events).noneMatch(e -> "busy-proxy".equals(e.node()));
        assertThat(client.nodes().items()).isEmpty();
      }
    }
  }

  @Test
  void controlPlaneExitsWith1NamingPort() {
    Cli.Result r = Cli.against(null).run("control-plane", "--port", port());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).isEqualTo(message("--port"));
  }

  @Test
  void upExitsWith1NamingTheOptionOfTheBusyPort() {
    Cli.Result cp =
        Cli.against(null).run("up", "--port", port(), "--listen", "0", "--upstream", "http://x:1");
    assertThat(cp.exitCode()).as(cp.toString()).isEqualTo(1);
    assertThat(cp.err()).isEqualTo(message("--port"));
    assertThat(cp.out()).isEmpty();
    Cli.Result proxy =
        Cli.against(null).run("up", "--port", "0", "--listen", port(), "--upstream", "http://x:1");
    assertThat(proxy.exitCode()).as(proxy.toString()).isEqualTo(1);
    assertThat(proxy.err()).isEqualTo(message("--listen"));
    assertThat(proxy.out()).isEmpty();
  }
}
