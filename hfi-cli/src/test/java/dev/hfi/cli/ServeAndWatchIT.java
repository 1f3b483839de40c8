package dev.hfi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.HfiClient;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.testsupport.EtcdProcess;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code control-plane} and {@code policy watch}, running until stopped, in-process. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tag("slow")
class ServeAndWatchIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void controlPlaneServesUntilStopped() throws Exception {
    URI uri;
    try (Running cp = Running.start(Map.of(), "control-plane", "--port", "0")) {
      uri =
          URI.create(
              cp.awaitOut("control plane listening on (\\S+) \\(store: memory\\)", WAIT).group(1));
      Cli cli = Cli.against(uri);
      Cli.Result applied =
          cli.stdin(TestPolicies.abortYaml("served", "/s", 503)).run("policy", "apply", "-f", "-");
      assertThat(applied.out()).isEqualTo("faultinjectionpolicy.hfi.dev \"served\" created\n");
      assertThat(cli.run("policy", "get", "served", "-o", "json").out()).contains("\"served\"");
      assertThat(cp.stop()).isZero();
    }
    Cli.Result after = Cli.against(uri).run("policy", "get");
    assertThat(after.exitCode()).isEqualTo(1);
    assertThat(after.err()).startsWith("error: cannot reach the control plane at " + uri);
  }

  @Test
  void controlPlaneOnEtcdKeepsPoliciesAcrossRestarts() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      String[] args = {
        "control-plane",
        "--port",
        "0",
        "--store",
        "etcd",
        "--etcd-endpoints",
        etcd.endpoint().toString()
      };
      try (Running cp = Running.start(Map.of(), args)) {
        URI uri = URI.create(cp.awaitOut("listening on (\\S+) \\(store: etcd\\)", WAIT).group(1));
        assertThat(
                Cli.against(uri)
                    .stdin(TestPolicies.abortYaml("durable", "/d", 503))
                    .run("policy", "apply", "-f", "-")
                    .out())
            .contains("\"durable\" created");
        assertThat(cp.stop()).isZero();
      }
      try (Running cp = Running.start(Map.of(), args)) {
        URI uri = URI.create(cp.awaitOut("listening on (\\S+) \\(store: etcd\\)", WAIT).group(1));
        Cli.Result r = Cli.against(uri).run("policy", "get", "durable", "-o", "yaml");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("name: durable");
      }
    }
  }

  @Test
  void controlPlaneOnATakenPortFailsWithExitCode1() throws Exception {
    try (MemoryPolicyStore store = new MemoryPolicyStore();
        ControlPlaneServer taken =
            ControlPlaneServer.builder().withPort(0).withStore(store).build().start()) {
      Cli.Result r =
          Cli.against(null).run("control-plane", "--port", Integer.toString(taken.port()));
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err().lines()).hasSize(1);
      assertThat(r.err()).startsWith("error: cannot listen on 127.0.0.1:" + taken.port());
    }
  }

  @Test
  void watchPrintsOneLinePerChange() throws Exception {
    try (MemoryPolicyStore store = new MemoryPolicyStore();
        ControlPlaneServer server =
            ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
        HfiClient client = HfiClient.builder().withBaseUri(server.uri()).build();
        Running watch =
            Running.start(
                Map.of("HFI_CONTROL_PLANE", server.uri().toString()), "policy", "watch")) {
      watch.awaitErr("^watching " + server.uri(), WAIT);
      Cli cli = Cli.against(server.uri());
      cli.stdin(TestPolicies.abortYaml("w", "/w", 503)).run("policy", "apply", "-f", "-");
      watch.awaitOut(" policy w created revision=\\d+$", WAIT);
      Cli.against(server.uri())
          .stdin(TestPolicies.abortYaml("w", "/w", 500))
          .run("policy", "apply", "-f", "-");
      watch.awaitOut(" policy w updated revision=\\d+$", WAIT);
      cli.run("policy", "delete", "w");
      watch.awaitOut(" policy w deleted revision=\\d+$", WAIT);
      assertThat(watch.stop()).isZero();
      assertThat(watch.out().lines())
          .hasSize(3)
          .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ policy w .*"));
    }
  }

  @Test
  void watchFailsWhenTheControlPlaneGoesAway() throws Exception {
    MemoryPolicyStore store = new MemoryPolicyStore();
    ControlPlaneServer server =
        ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
    try (Running watch =
        Running.start(
            Map.of("HFI_CONTROL_PLANE", server.uri().toString()),
            "policy",
            "watch",
            "--all-events")) {
      watch.awaitErr("^watching ", WAIT);
      server.close();
      assertThat(watch.exitCode(WAIT)).isEqualTo(1);
      assertThat(watch.err()).contains("error: ").contains(server.uri().toString());
    } finally {
      store.close();
    }
  }
}
