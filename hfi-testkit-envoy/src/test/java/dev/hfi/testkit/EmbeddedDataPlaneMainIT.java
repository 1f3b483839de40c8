package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.HfiClient;
import dev.hfi.client.PolicyCodec;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.testkit.internal.HfiClientAcks;
import dev.hfi.testsupport.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link EmbeddedDataPlaneMain} as a real process: serves, injects, stops cleanly on SIGTERM. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedDataPlaneMainIT {

  @Test
  void proxyProcessInjectsFaultsAndStopsCleanlyOnSigterm() throws Exception {
    try (MemoryPolicyStore store = new MemoryPolicyStore();
        ControlPlaneServer controlPlane =
            ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
        HfiClient hfi = HfiClient.builder().withBaseUri(controlPlane.uri()).build();
        TestUpstream upstream = new TestUpstream()) {
      int port = FreePorts.pick(1).get(0);
      Path log = Files.createTempFile("hfi-proxy", ".log");
      Process process =
          new ProcessBuilder(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                      "-cp",
                      System.getProperty("java.class.path"),
                      EmbeddedDataPlaneMain.class.getName(),
                      "--listen",
                      Integer.toString(port),
                      "--upstream",
                      upstream.uri().toString(),
                      "--node",
                      "orders",
                      "--control-plane",
                      controlPlane.uri().toString()))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        // The process is up once its filter has ACKed the control plane's rule set.
        assertThat(new HfiClientAcks(hfi, 1).awaitAcked(Set.of("orders"), Duration.ofSeconds(60)))
            .as("the proxy process's filter ACKed; output:%n%s", Files.readString(log))
            .isTrue();
        long revision =
            hfi.apply(
                    """
                    apiVersion: hfi.dev/v1alpha1
                    kind: FaultInjectionPolicy
                    metadata: {name: process-abort}
                    spec:
                      target: {nodes: [orders]}
                      fault: {abort: {httpStatus: 503, body: from the process}}
                    """,
                    PolicyCodec.Format.YAML)
                .revision();
        hfi.awaitApplied(revision, Duration.ofSeconds(30));
        HttpResponse<String> r =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api")).build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("from the process");

        process.destroy(); // SIGTERM
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
        assertThat(process.exitValue()).isEqualTo(143); // 128 + SIGTERM: the JVM's normal answer
        assertThat(Files.readString(log))
            .contains("hfi proxy: node orders listening on http://127.0.0.1:" + port)
            .contains("hfi proxy: stopped")
            .doesNotContain("Exception");
      } finally {
        process.destroyForcibly();
        Files.deleteIfExists(log);
      }
    }
  }
}
