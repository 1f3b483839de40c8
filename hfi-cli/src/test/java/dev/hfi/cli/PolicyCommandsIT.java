package dev.hfi.cli;

import static dev.hfi.client.TestPolicies.abortYaml;
import static dev.hfi.client.TestPolicies.delayYaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.hfi.client.HfiClient;
import dev.hfi.client.PolicyCodec;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The policy commands against a real control plane on a free port, run in-process. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PolicyCommandsIT {
  @TempDir Path dir;

  private MemoryPolicyStore store;
  private ControlPlaneServer server;
  private HfiClient client;
  private Cli cli;

  @BeforeEach
  void start() {
    store = new MemoryPolicyStore();
    server = ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
    client = HfiClient.builder().withBaseUri(server.uri()).build();
    cli = Cli.against(server.uri());
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
    store.close();
  }

  /** {@link TestPolicies#abortYaml} (status 503) converted to JSON. */
  private static String abortJson(String name, String prefix) {
    return PolicyCodec.toJson(
        PolicyCodec.parse(abortYaml(name, prefix, 503), PolicyCodec.Format.YAML));
  }

  /** Applies the policies "a" and "b" (aborts with 503) through stdin. */
  private void applyAAndB() {
    cli.stdin(String.join("---\n", abortYaml("a", "/a", 503), abortYaml("b", "/b", 503)))
        .run("policy", "apply", "-f", "-");
  }

  /** The command succeeded and printed one line per policy, in this order, e.g. "created". */
  private static void assertReported(Cli.Result r, String verb, String... names) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out().lines())
        .containsExactly(
            Arrays.stream(names)
                .map(n -> "faultinjectionpolicy.hfi.dev \"" + n + "\" " + verb)
                .toArray(String[]::new));
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void applyReportsCreatedThenUnchangedThenConfigured() throws IOException {
    Path f = write("p.yaml", abortYaml("orders-abort", "/api/orders", 503));
    Cli.Result created = cli.run("policy", "apply", "-f", f.toString());
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(created.out()).isEqualTo("faultinjectionpolicy.hfi.dev \"orders-abort\" created\n");
    assertThat(created.err()).isEmpty();

    assertThat(cli.run("policy", "apply", "-f", f.toString()).out())
        .isEqualTo("faultinjectionpolicy.hfi.dev \"orders-abort\" unchanged\n");

    write("p.yaml", abortYaml("orders-abort", "/api/orders", 502));
    assertThat(cli.run("policy", "apply", "-f", f.toString()).out())
        .isEqualTo("faultinjectionpolicy.hfi.dev \"orders-abort\" configured\n");
    assertThat(client.get("orders-abort").spec().fault().abort().httpStatus()).isEqualTo(502);
  }

  @Test
  void applyReadsEveryDocumentOfAFileInOrder() throws IOException {
    Path f =
        write(
            "many.yaml",
            abortYaml("a", "/a", 503)
                + "---\n"
                + delayYaml("b", "2s")
                + "---\n"
                + abortYaml("c", "/c", 500));
    Cli.Result r = cli.run("policy", "apply", "-f", f.toString());
    assertReported(r, "created", "a", "b", "c");
    assertThat(client.list().items()).hasSize(3);
  }

  @Test
  void applyReadsYamlAndJsonFromStdin() {
    Cli.Result yaml =
        cli.stdin(abortYaml("from-stdin", "/s", 503)).run("policy", "apply", "-f", "-");
    assertThat(yaml.out()).isEqualTo("faultinjectionpolicy.hfi.dev \"from-stdin\" created\n");

    String json = abortJson("json-one", "/j") + "\n" + abortJson("json-two", "/k");
    Cli.Result r = Cli.against(server.uri()).stdin(json).run("policy", "apply", "-f", "-");
    assertReported(r, "created", "json-one", "json-two");
  }

  @Test
  void applyReadsTheYamlAndJsonFilesOfADirectoryInNameOrder() throws IOException {
    write("b.yaml", abortYaml("second", "/b", 503));
    write("a.json", abortJson("first", "/a"));
    write("notes.txt", "ignored");
    Cli.Result r = cli.run("policy", "apply", "-f", dir.toString());
    assertReported(r, "created", "first", "second");
  }

  @Test
  void dryRunPredictsAndChangesNothing() throws IOException {
    Path f = write("p.yaml", abortYaml("dry", "/d", 503));
    Cli.Result r = cli.run("policy", "apply", "--dry-run", "-f", f.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("faultinjectionpolicy.hfi.dev \"dry\" created (dry run)\n");
    assertThat(client.list().items()).isEmpty();

    cli.run("policy", "apply", "-f", f.toString());
    long revision = store.revision();
    assertThat(cli.run("policy", "apply", "--dry-run", "-f", f.toString()).out())
        .isEqualTo("faultinjectionpolicy.hfi.dev \"dry\" unchanged (dry run)\n");
    write("p.yaml", abortYaml("dry", "/d", 504));
    assertThat(cli.run("policy", "apply", "--dry-run", "-f", f.toString()).out())
        .isEqualTo("faultinjectionpolicy.hfi.dev \"dry\" configured (dry run)\n");
    assertThat(store.revision()).isEqualTo(revision);
    assertThat(client.get("dry").spec().fault().abort().httpStatus()).isEqualTo(503);
  }

  @Test
  void waitWithNoDataPlaneFailsRatherThanClaimingSuccessUnlessAllowNone() throws IOException {
    Path f = write("p.yaml", abortYaml("waited", "/w", 503));
    Cli.Result r = cli.run("policy", "apply", "--wait", "-f", f.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("\"waited\" created");
    assertThat(r.err())
        .startsWith("error: the change is made, but no data plane follows")
        .contains("--allow-none");

    Cli.Result allowed =
        cli.run("policy", "delete", "waited", "--wait", "--allow-none", "--timeout", "2s");
    assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
    assertThat(allowed.out()).contains("\"waited\" deleted");
  }

  @Test
  void applyAStaleResourceVersionIsAServerFailure() throws IOException {
    cli.stdin(abortYaml("versioned", "/v", 503)).run("policy", "apply", "-f", "-");
    String stale =
        abortYaml("versioned", "/v", 500)
            .replace("name: versioned", "name: versioned\n  resourceVersion: \"1\"");
    Path f = write("stale.yaml", stale);
    Cli.Result r = cli.run("policy", "apply", "-f", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip())
        .startsWith("Error from server (Conflict): policy \"versioned\" was modified")
        .endsWith("(" + f + ":1)");
  }

  @Test
  void getPrintsAnAlignedTable() {
    cli.stdin(
            abortYaml("orders-abort", "/api/orders", 503)
                + "---\n"
                + delayYaml("slow-billing", "1500ms"))
        .run("policy", "apply", "-f", "-");
    Cli.Result r = cli.run("policy", "get");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out().lines())
        .hasSize(3)
        .satisfiesExactly(
            h ->
                assertThat(h)
                    .isEqualTo(
                        "NAME           PRIORITY   TARGET                       MATCH             "
                            + " FAULT                    AGE"),
            a ->
                assertThat(a)
                    .matches(
                        Pattern.quote(
                                "orders-abort   0          <all>                        /api/orders* "
                                    + "      abort 503                ")
                            + "\\d+s"),
            b ->
                assertThat(b)
                    .matches(
                        Pattern.quote(
                                "slow-billing   5          orders-proxy,billing-proxy   POST"
                                    + " x-user=test   delay 1500ms 50% max 2   ")
                            + "\\d+s"));
  }

  @Test
  void getOfNothingSaysSoOnStderr() {
    Cli.Result r = cli.run("policy", "get");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("No policies found.\n");
  }

  @Test
  void getOneAsYamlCanBeAppliedAgain() {
    cli.stdin(delayYaml("slow", "2s")).run("policy", "apply", "-f", "-");
    Cli.Result r = cli.run("policy", "get", "slow", "-o", "yaml");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .startsWith(
            "apiVersion: hfi.dev/v1alpha1\nkind: FaultInjectionPolicy\nmetadata:\n  name: slow\n")
        .contains("  resourceVersion: \"2\"", "    percentage: 50", "      fixedDelay: 2s");
    assertThat(PolicyCodec.parse(r.out(), PolicyCodec.Format.YAML)).isEqualTo(client.get("slow"));
    assertThat(Cli.against(server.uri()).stdin(r.out()).run("policy", "apply", "-f", "-").out())
        .isEqualTo("faultinjectionpolicy.hfi.dev \"slow\" unchanged\n");
  }

  @Test
  void getAllAsJsonIsAListThatCanBeAppliedAgain() {
    applyAAndB();
    Cli.Result r = cli.run("policy", "get", "-o", "json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .startsWith(
            "{\n  \"apiVersion\" : \"hfi.dev/v1alpha1\",\n  \"kind\" : \"FaultInjectionPolicyList\"")
        .contains("\"name\" : \"a\"", "\"name\" : \"b\"", "\"httpStatus\" : 503");
    Cli.Result again = Cli.against(server.uri()).stdin(r.out()).run("policy", "apply", "-f", "-");
    assertReported(again, "unchanged", "a", "b");
  }

  @Test
  void getSeveralNamesAsYamlIsAList() {
    applyAAndB();
    Cli.Result r = cli.run("policy", "get", "a", "b", "-o", "yaml");
    assertThat(r.out())
        .startsWith("apiVersion: hfi.dev/v1alpha1\nkind: FaultInjectionPolicyList\nitems:\n");
  }

  @Test
  void getOfAMissingPolicyIsNotFound() {
    Cli.Result r = cli.run("policy", "get", "ghost");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("Error from server (NotFound): policy \"ghost\" not found\n");
  }

  @Test
  void anInvalidNameRejectedByTheServerIsInvalidInput() {
    Cli.Result r = cli.run("policy", "get", "Not_A_Name");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("Error from server (Invalid): name in the URL:");
  }

  @Test
  void deleteRemovesEveryNamedPolicy() {
    applyAAndB();
    Cli.Result r = cli.run("policy", "delete", "a", "b");
    assertReported(r, "deleted", "a", "b");
    assertThat(client.list().items()).isEmpty();
  }

  @Test
  void deleteOfAMissingPolicyFailsButDeletesTheOthers() {
    cli.stdin(abortYaml("real", "/r", 503)).run("policy", "apply", "-f", "-");
    Cli.Result r = cli.run("policy", "delete", "ghost", "real");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEqualTo("faultinjectionpolicy.hfi.dev \"real\" deleted\n");
    assertThat(r.err()).isEqualTo("Error from server (NotFound): policy \"ghost\" not found\n");

    Cli.Result ignored = cli.run("policy", "delete", "ghost", "--ignore-not-found");
    assertThat(ignored.exitCode()).isZero();
    assertThat(ignored.err()).isEmpty();
  }

  @Test
  void nodesListsTheInstancesThatPolled() throws Exception {
    assertThat(cli.run("nodes").err()).isEqualTo("No data planes found.\n");
    long version = server.ruleSet().version();
    try (AckWatch watch = new AckWatch(client, e -> "worker-0".equals(e.instance()))) {
      watch.awaitOpen(Duration.ofSeconds(30));
      // A filter's long poll, as the data plane makes it: the server records the ACK when the
      // poll starts and holds it (until the server stops at the end of the test).
      CompletableFuture.runAsync(
          () ->
              client.poll("orders-proxy", "worker-0", version, null, null, Duration.ofSeconds(60)));
      watch.awaitAck(Duration.ofSeconds(30));
    }
    Cli.Result r = cli.run("nodes");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out().lines())
        .satisfiesExactly(
            h -> assertThat(h).isEqualTo("NODE           INSTANCE   VERSION   STATUS   LAST-SEEN"),
            n ->
                assertThat(n)
                    .matches("orders-proxy {3}worker-0 {3}" + version + " +ACK {6}\\d+s ago"));
    assertThat(cli.run("nodes", "-o", "json").out()).contains("\"instance\" : \"worker-0\"");
  }

  @Test
  void unreachableControlPlaneNamesTheAddressTried() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String addr = "http://127.0.0.1:" + closed;
    for (String[] args : new String[][] {{"policy", "get"}, {"nodes"}, {"policy", "delete", "x"}}) {
      Cli.Result r = Cli.against(URI.create(addr)).run(args);
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
      assertThat(r.err().lines()).hasSize(1);
      assertThat(r.err())
          .startsWith("error: cannot reach the control plane at " + addr + "/")
          .contains("'hfi control-plane'", "HFI_CONTROL_PLANE");
    }
  }

  @Test
  void verboseAddsTheStackTrace() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Cli.Result r = cli.run("nodes", "--verbose", "--control-plane-addr", "127.0.0.1:" + closed);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("ControlPlaneUnreachableException").contains("\tat ");
  }

  @Test
  void theFlagOverridesTheEnvironment() {
    Cli.Result r =
        Cli.against(URI.create("http://127.0.0.1:1"))
            .run("policy", "get", "--control-plane-addr", server.uri().toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  @Test
  void tokenFromTheEnvironmentReachesAControlPlaneThatRequiresOne() {
    try (MemoryPolicyStore s = new MemoryPolicyStore();
        ControlPlaneServer guarded =
            ControlPlaneServer.builder()
                .withPort(0)
                .withStore(s)
                .withToken("s3cret")
                .build()
                .start()) {
      Cli.Result denied = Cli.against(guarded.uri()).run("policy", "get");
      assertThat(denied.exitCode()).isEqualTo(1);
      assertThat(denied.err().lines()).hasSize(1);
      assertThat(denied.err())
          .startsWith("Error from server (Unauthorized):")
          .contains("--token", "HFI_TOKEN");
      Cli.Result wrong = Cli.against(guarded.uri()).run("policy", "get", "--token", "guess");
      assertThat(wrong.exitCode()).isEqualTo(1);
      assertThat(wrong.err())
          .startsWith("Error from server (Unauthorized): the bearer token is not valid")
          .contains("--token", "HFI_TOKEN");
      Cli.Result allowed =
          Cli.against(guarded.uri()).env("HFI_TOKEN", "s3cret").run("policy", "get");
      assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
    }
  }

  @Test
  void aServerThatIsNotHfiIsNamedAsSuchWithTheOptionThatPointsElsewhere() throws IOException {
    HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    other.createContext(
        "/",
        exchange -> {
          boolean page = exchange.getRequestURI().getPath().equals("/v1/nodes");
          byte[] body = "<html><body>Not here</body></html>".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/html");
          exchange.sendResponseHeaders(page ? 200 : 404, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    other.start();
    try {
      URI addr = URI.create("http://127.0.0.1:" + other.getAddress().getPort());
      for (String[] args :
          new String[][] {
            {"policy", "get"},
            {"policy", "get", "x"},
            {"policy", "delete", "x", "--ignore-not-found"},
            {"nodes"},
            {"policy", "apply", "-f", "-"}
          }) {
        Cli.Result r = Cli.against(addr).stdin(abortYaml("a", "/a", 503)).run(args);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err())
            .as(r.toString())
            .startsWith(
                "error: the server at " + addr + "/ does not look like an HFI control plane: ")
            .contains("answered HTTP " + (args[0].equals("nodes") ? "200" : "404"))
            .contains("(text/html)")
            .contains("point --control-plane-addr (env HFI_CONTROL_PLANE) at the control plane")
            .doesNotContain("NotFound");
      }
    } finally {
      other.stop(0);
    }
  }
}
