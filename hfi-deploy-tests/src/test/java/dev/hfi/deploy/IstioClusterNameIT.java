package dev.hfi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hfi.client.AckTracker;
import dev.hfi.client.ApplyResult;
import dev.hfi.client.HfiClient;
import dev.hfi.client.PolicyCodec;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.filter.HfiFilterWasm;
import dev.hfi.testkit.EnvoyBinary;
import dev.hfi.testkit.EnvoyConfig;
import java.io.IOException;
import java.net.ServerSocket;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin configuration of deploy/istio/wasmplugin.yaml works in a sidecar whose cluster for the
 * control plane has Istio's name: real Envoy runs the real filter with exactly that plugin
 * configuration (plus the token the documented patch adds) and a cluster named {@code
 * outbound|8080||hfi-control-plane.hfi-system.svc.cluster.local} that points at a real control
 * plane started here; the filter polls through it, ACKs, and applies a policy.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class IstioClusterNameIT {

  private static final String TOKEN = "istio-test-token-0123";

  /** The WasmPlugin's spec, read from the file users apply. */
  private static JsonNode wasmPlugin() {
    List<JsonNode> docs = Deploy.documents(Deploy.root().resolve("deploy/istio/wasmplugin.yaml"));
    assertThat(docs).hasSize(1);
    return docs.get(0);
  }

  @Test
  void theWasmPluginNamesIstiosClusterOfTheControlPlaneServiceAndOnlyKnownFields() {
    JsonNode plugin = wasmPlugin();
    assertThat(plugin.path("apiVersion").asText()).isEqualTo("extensions.istio.io/v1alpha1");
    assertThat(plugin.path("kind").asText()).isEqualTo("WasmPlugin");
    // No schema of Istio's CRDs is available here: the fields are checked against WasmPlugin's
    // API reference (extensions.istio.io/v1alpha1).
    Set<String> known =
        Set.of(
            "selector",
            "targetRef",
            "targetRefs",
            "url",
            "sha256",
            "imagePullPolicy",
            "imagePullSecret",
            "verificationKey",
            "pluginConfig",
            "pluginName",
            "phase",
            "priority",
            "failStrategy",
            "vmConfig",
            "match",
            "type");
    plugin.path("spec").fieldNames().forEachRemaining(f -> assertThat(known).contains(f));
    JsonNode config = plugin.at("/spec/pluginConfig");
    assertThat(config.path("cluster").asText())
        .isEqualTo(EnvoyConfig.ISTIO_CONTROL_PLANE_CLUSTER)
        .isEqualTo("outbound|8080||" + Deploy.CONTROL_PLANE_HOST);
    assertThat(plugin.at("/spec/url").asText())
        .isEqualTo("oci://ghcr.io/hfi-dev/hfi-filter:" + Deploy.chartAppVersion());
    assertThat(plugin.at("/spec/failStrategy").asText()).isEqualTo("FAIL_OPEN");
    // The plugin configuration is the one HFI generates for that cluster and node, token aside.
    String generated =
        EnvoyConfig.builder()
            .withControlPlane(Deploy.CONTROL_PLANE_HOST, 8080)
            .withControlPlaneCluster(EnvoyConfig.ISTIO_CONTROL_PLANE_CLUSTER)
            .withUpstream(config.path("node").asText(), 10000, "127.0.0.1", 5678)
            .build()
            .pluginConfiguration(
                EnvoyConfig.builder()
                    .withControlPlane(Deploy.CONTROL_PLANE_HOST, 8080)
                    .withUpstream(config.path("node").asText(), 10000, "127.0.0.1", 5678)
                    .build()
                    .upstreams()
                    .get(0));
    try {
      assertThat(config).isEqualTo(Deploy.JSON.readTree(generated));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void realEnvoyWithIstiosClusterNamePollsARealControlPlaneAndAppliesItsPolicies(@TempDir Path dir)
      throws Exception {
    ObjectNode pluginConfig = (ObjectNode) wasmPlugin().at("/spec/pluginConfig").deepCopy();
    pluginConfig.put("token", TOKEN); // what `kubectl patch wasmplugin` in the file adds
    String node = pluginConfig.path("node").asText();
    Path wasm = dir.resolve("hfi-filter.wasm");
    Files.write(wasm, HfiFilterWasm.bytes());

    try (ControlPlaneServer cp =
            ControlPlaneServer.builder()
                .withBindAddress("127.0.0.1")
                .withPort(0)
                .withToken(TOKEN)
                .withStore(new MemoryPolicyStore())
                .build()
                .start();
        HfiClient client = HfiClient.builder().withBaseUri(cp.uri()).withToken(TOKEN).build();
        AckTracker acks = AckTracker.open(client, Duration.ofSeconds(30))) {
      int listenPort = freePort();
      EnvoyConfig config =
          EnvoyConfig.builder()
              .withListenAddress("127.0.0.1")
              .withAdminPort(freePort())
              .withControlPlane("127.0.0.1", cp.port())
              .withControlPlaneCluster(pluginConfig.path("cluster").asText())
              .withFilterPath(wasm.toString())
              .withUpstream(node, listenPort, "127.0.0.1", freePort())
              .build();
      // The sidecar's view: the cluster has Istio's name and the filter gets the WasmPlugin's
      // configuration verbatim (authority = the Service's name, as Istio's sidecar would send).
      String generatedPlugin = config.pluginConfiguration(config.upstreams().get(0));
      String yaml =
          config
              .toYaml()
              .replace(
                  Deploy.JSON.writeValueAsString(generatedPlugin),
                  Deploy.JSON.writeValueAsString(Deploy.JSON.writeValueAsString(pluginConfig)));
      assertThat(yaml).contains("name: outbound|8080||" + Deploy.CONTROL_PLANE_HOST + "\n");
      assertThat(yaml)
          .as("the WasmPlugin's configuration replaced the generated one")
          .contains(TOKEN);
      assertThat(yaml).contains("hfi-control-plane.hfi-system.svc.cluster.local:8080");
      Path bootstrap = dir.resolve("envoy.yaml");
      Files.writeString(bootstrap, yaml);

      Process envoy =
          new ProcessBuilder(
                  EnvoyBinary.require().toString(),
                  "-c",
                  bootstrap.toString(),
                  "--concurrency",
                  "1",
                  "--disable-hot-restart",
                  "--log-level",
                  "info")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("envoy.log").toFile())
              .start();
      try {
        // One worker: two filter instances (the worker's and the main thread's), both ACKing.
        acks.awaitNodes(Set.of(node), 2, Duration.ofSeconds(60));
        System.out.println(
            "filter instances polling through cluster \""
                + pluginConfig.path("cluster").asText()
                + "\": "
                + client.nodes().items());

        ApplyResult applied =
            client.apply(
                "apiVersion: hfi.dev/v1alpha1\n"
                    + "kind: FaultInjectionPolicy\n"
                    + "metadata: {name: istio-abort}\n"
                    + "spec:\n"
                    + "  target: {nodes: ["
                    + node
                    + "]}\n"
                    + "  fault: {abort: {httpStatus: 503}}\n",
                PolicyCodec.Format.YAML);
        acks.await(applied.revision(), Duration.ofSeconds(30));

        HttpResponse<String> faulted =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenPort + "/"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(faulted.statusCode()).isEqualTo(503);
        assertThat(faulted.headers().firstValue("x-hfi-fault")).contains("istio-abort");
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            e.getMessage() + "\nEnvoy's log:\n" + Files.readString(dir.resolve("envoy.log")), e);
      } finally {
        envoy.destroy();
        if (!envoy.waitFor(5, TimeUnit.SECONDS)) {
          envoy.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
