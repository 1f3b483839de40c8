package dev.hfi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.hfi.client.HfiClient;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's "Try it in a minute", for real: {@code hfi up} in front of a real HTTP upstream, the
 * policy file the README applies, and the requests its {@code curl} lines make. Ports are free ones
 * instead of the README's 8080/18000/9000, so that the test never collides with anything.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@Tag("slow")
class WalkthroughIT {
  private static final Path REPO = Path.of("..");
  private static final String POLICY_FILE = "examples/policies/orders-abort.yaml";
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String ORDERS = "{\"orders\":[]}\n";
  private static final String PROXY_LISTENING = "^proxy listening on (\\S+) -> ";

  private HttpServer upstream;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext(
        "/api/orders",
        exchange -> {
          byte[] body = ORDERS.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    upstream.start();
  }

  @AfterEach
  void stopUpstream() {
    upstream.stop(0);
  }

  @Test
  void theReadmeCommandsAreTheOnesThisTestRuns() throws Exception {
    String readme = Files.readString(REPO.resolve("README.md"));
    assertThat(readme)
        .contains("## Try it in a minute")
        .contains("hfi up --upstream http://127.0.0.1:9000")
        .contains("hfi policy apply -f " + POLICY_FILE + " --wait")
        .contains("curl -si http://127.0.0.1:18000/api/orders")
        .contains("hfi policy delete orders-abort --wait")
        .contains("x-hfi-fault: orders-abort");
  }

  /**
   * The README's start of {@code hfi up} and its wait loop, run by bash as written, with port 8080
   * taken: the loop ends once {@code hfi up} has exited and prints its log, which names the port
   * and the option to choose another (it looped forever before).
   */
  @Test
  void theReadmeWaitLoopEndsWithTheReasonWhenHfiUpCannotStart() throws Exception {
    String readme = Files.readString(REPO.resolve("README.md"));
    int start = readme.indexOf("hfi up --upstream http://127.0.0.1:9000 > /tmp/hfi-up.log");
    int end = readme.indexOf("\ndone\n", start);
    assertThat(start).as("README starts hfi up").isPositive();
    assertThat(end).as("README waits for hfi up with a loop").isPositive();
    Path log = Files.createTempFile("hfi-up", ".log");
    String script =
        readme
            .substring(start, end + "\ndone\n".length())
            .replace("/tmp/hfi-up.log", log.toString());
    ServerSocket taken = null;
    try {
      try {
        taken = new ServerSocket(8080, 50, InetAddress.getByName("127.0.0.1"));
      } catch (BindException alreadyTaken) {
        // Something else holds 8080 already: just as good.
      }
      ProcessBuilder bash = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
      bash.environment()
          .put("PATH", Path.of("src/main/sh").toAbsolutePath() + ":" + System.getenv("PATH"));
      bash.environment().remove("HFI_CONTROL_PLANE");
      bash.environment().remove("HFI_PORT");
      Process p = bash.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the loop ended:\n" + out).isTrue();
      assertThat(out)
          .contains(
              "error: cannot listen on 127.0.0.1:8080: the port is in use; choose another with"
                  + " --port (0 picks a free one)");
      assertThat(readme).contains("--port 8081 --listen 18001");
    } finally {
      if (taken != null) {
        taken.close();
      }
      Files.deleteIfExists(log);
    }
  }

  @ParameterizedTest(name = "--data-plane {0}")
  @ValueSource(strings = {"embedded", "envoy"})
  void upApplyCurlDeleteCurl(String dataPlane) throws Exception {
    String upstreamUrl = "http://127.0.0.1:" + upstream.getAddress().getPort();
    try (Running up =
        Running.start(
            Map.of(),
            "up",
            "--upstream",
            upstreamUrl,
            "--port",
            "0",
            "--listen",
            "0",
            "--data-plane",
            dataPlane)) {
      URI controlPlane =
          URI.create(up.awaitOut("^control plane listening on (\\S+)", WAIT).group(1));
      Matcher listening = up.awaitOut(PROXY_LISTENING, WAIT);
      URI proxy = URI.create(listening.group(1));
      up.awaitOut("^ready; Ctrl-C to stop$", WAIT);
      Cli cli = Cli.against(controlPlane);

      HttpResponse<String> before = get(proxy);
      assertThat(before.statusCode()).isEqualTo(200);
      assertThat(before.body()).isEqualTo(ORDERS);
      if (dataPlane.equals("envoy")) {
        assertThat(before.headers().firstValue("x-envoy-upstream-service-time"))
            .as("answered through Envoy")
            .isPresent();
      }

      Cli.Result applied =
          cli.run("policy", "apply", "-f", REPO.resolve(POLICY_FILE).toString(), "--wait");
      assertThat(applied.exitCode()).as(applied.toString()).isZero();
      assertThat(applied.out())
          .isEqualTo("faultinjectionpolicy.hfi.dev \"orders-abort\" created\n");

      HttpResponse<String> faulted = get(proxy);
      assertThat(faulted.statusCode()).isEqualTo(503);
      assertThat(faulted.headers().firstValue("x-hfi-fault")).hasValue("orders-abort");
      assertThat(faulted.body()).isEqualTo("orders are unavailable (injected by HFI)");

      Cli.Result listed = cli.run("policy", "get");
      assertThat(listed.out())
          .contains("orders-abort")
          .contains("/api/orders*")
          .contains("abort 503");
      Cli.Result nodes = cli.run("nodes");
      assertThat(nodes.out()).containsPattern("default +\\S+ +\\d+ +ACK");

      Cli.Result deleted = cli.run("policy", "delete", "orders-abort", "--wait");
      assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
      assertThat(deleted.out())
          .isEqualTo("faultinjectionpolicy.hfi.dev \"orders-abort\" deleted\n");

      HttpResponse<String> after = get(proxy);
      assertThat(after.statusCode()).isEqualTo(200);
      assertThat(after.headers().firstValue("x-hfi-fault")).isEmpty();
      assertThat(after.body()).isEqualTo(ORDERS);

      assertThat(up.stop()).isZero();
      assertEnvoyStopped(listening);
    }
  }

  @ParameterizedTest(name = "--data-plane {0}")
  @ValueSource(strings = {"embedded", "envoy"})
  void proxyFollowsASeparateControlPlane(String dataPlane) throws Exception {
    String upstreamUrl = "http://127.0.0.1:" + upstream.getAddress().getPort();
    try (Running cp = Running.start(Map.of(), "control-plane", "--port", "0")) {
      URI controlPlane =
          URI.create(cp.awaitOut("^control plane listening on (\\S+)", WAIT).group(1));
      try (HfiClient client = HfiClient.builder().withBaseUri(controlPlane).build();
          AckWatch watch = new AckWatch(client, e -> "orders-proxy".equals(e.node()))) {
        watch.awaitOpen(WAIT);
        try (Running proxyRun =
            Running.start(
                Map.of("HFI_CONTROL_PLANE", controlPlane.toString()),
                "proxy",
                "--listen",
                "0",
                "--upstream",
                upstreamUrl,
                "--node",
                "orders-proxy",
                "--data-plane",
                dataPlane)) {
          Matcher listening =
              proxyRun.awaitOut(
                  "^proxy listening on (\\S+) -> "
                      + upstreamUrl
                      + " \\(node orders-proxy, control plane "
                      + controlPlane
                      + "(, Envoy pid (\\d+), admin \\S+)?\\)$",
                  WAIT);
          URI proxy = URI.create(listening.group(1));
          assertThat(listening.group(2) != null).isEqualTo(dataPlane.equals("envoy"));
          // The proxy serves at once and reports on its first poll; --wait covers the instances
          // that have reported, so the test waits for that report first.
          watch.awaitAck(WAIT);
          String targeted =
              Files.readString(REPO.resolve(POLICY_FILE))
                  .replace("spec:\n", "spec:\n  target: {nodes: [orders-proxy]}\n");
          Cli.Result applied =
              Cli.against(controlPlane).stdin(targeted).run("policy", "apply", "-f", "-", "--wait");
          assertThat(applied.exitCode()).as(applied.toString()).isZero();
          HttpResponse<String> faulted = get(proxy);
          assertThat(faulted.statusCode()).isEqualTo(503);
          assertThat(faulted.headers().firstValue("x-hfi-fault")).hasValue("orders-abort");
          assertThat(proxyRun.stop()).isZero();
          assertEnvoyStopped(listening);
        }
      }
    }
  }

  @Test
  void upWithABadUpstreamIsInvalidInput() {
    Cli.Result r = Cli.against(null).run("up", "--upstream", "ftp://x", "--port", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --upstream: expected a URL");
  }

  /** Envoy, a child of hfi, is gone once hfi has stopped. */
  private static void assertEnvoyStopped(Matcher listening) throws Exception {
    Matcher pid = Pattern.compile("Envoy pid (\\d+)").matcher(listening.group());
    if (pid.find()) {
      var envoy = ProcessHandle.of(Long.parseLong(pid.group(1)));
      if (envoy.isPresent()) {
        envoy.get().onExit().get(10, TimeUnit.SECONDS);
      }
    }
  }

  private HttpResponse<String> get(URI proxy) throws Exception {
    return http.send(
        HttpRequest.newBuilder(proxy.resolve("/api/orders"))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
