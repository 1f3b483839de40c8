package dev.hfi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hfi.filter.HfiFilterWasm;
import dev.hfi.testkit.EnvoyBinary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every envoy.yaml shipped in a ConfigMap (deploy/kubernetes) or rendered by the chart is what HFI
 * generates ({@code hfi envoy-config}, i.e. EnvoyConfig) and passes the real {@code envoy --mode
 * validate}, after the initContainer's step (the token put in) and with the filter at a local path.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EnvoyConfigsIT {

  /** Every envoy.yaml of a ConfigMap, by where it comes from. */
  private static Map<String, String> shipped() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Path manifest : Deploy.manifests()) {
      collect("deploy/kubernetes/" + manifest.getFileName(), manifest, out);
    }
    for (String values : Deploy.VALUES) {
      collect("chart " + (values.isEmpty() ? "defaults" : values), Deploy.rendered(values), out);
      collect(
          "chart " + (values.isEmpty() ? "defaults" : values) + " in namespace team-a",
          Deploy.rendered(values, "team-a"),
          out);
    }
    return out;
  }

  private static void collect(String where, Path file, Map<String, String> out) {
    for (JsonNode doc : Deploy.documents(file)) {
      if (doc.path("kind").asText().equals("ConfigMap") && doc.path("data").has("envoy.yaml")) {
        out.put(
            where + " ConfigMap/" + doc.at("/metadata/name").asText(),
            doc.path("data").path("envoy.yaml").asText());
      }
    }
  }

  @Test
  void everyShippedEnvoyYamlIsExactlyWhatHfiGenerates() throws Exception {
    Map<String, String> shipped = shipped();
    assertThat(shipped.keySet())
        .contains(
            "deploy/kubernetes/sample-app-with-proxy.yaml ConfigMap/sample-app-envoy",
            "chart ci/etcd-bundled-values.yaml ConfigMap/sample-app-envoy",
            "chart ci/etcd-bundled-values.yaml in namespace team-a ConfigMap/sample-app-envoy");
    for (Map.Entry<String, String> e : shipped.entrySet()) {
      String namespace = e.getKey().contains("team-a") ? "team-a" : "hfi-system";
      assertThat(e.getValue())
          .as(
              "%s differs from what HFI generates; regenerate it with: hfi --control-plane-addr"
                  + " http://hfi-control-plane.%s.svc.cluster.local:8080 --token @HFI_TOKEN@"
                  + " envoy-config --upstream sample-app=http://127.0.0.1:5678 --filter-path"
                  + " /filters/hfi-filter.wasm",
              e.getKey(), namespace)
          .isEqualTo(Deploy.sampleEnvoyYaml(namespace));
    }
    assertThat(Files.readString(Deploy.chart().resolve("files/sample-envoy.yaml")))
        .isEqualTo(Deploy.sampleEnvoyYaml("hfi-system"));
  }

  @Test
  void everyShippedEnvoyYamlPassesEnvoysOwnValidation(@TempDir Path dir) throws Exception {
    Path wasm = dir.resolve("hfi-filter.wasm");
    Files.write(wasm, HfiFilterWasm.bytes());
    int n = 0;
    for (Map.Entry<String, String> e : shipped().entrySet()) {
      // What the pod's envoy-config initContainer does, and the filter where this machine has it.
      String yaml =
          e.getValue()
              .replace("@HFI_TOKEN@", "0123456789abcdef")
              .replace("/filters/hfi-filter.wasm", wasm.toString());
      Path file = dir.resolve("envoy-" + n++ + ".yaml");
      Files.writeString(file, yaml);
      Deploy.Result r =
          Deploy.run(
              dir,
              EnvoyBinary.require().toString(),
              "--mode",
              "validate",
              "-c",
              file.toString(),
              "--disable-hot-restart");
      assertThat(r.exitCode()).as("%s\n%s", e.getKey(), r.output()).isZero();
      assertThat(r.output()).contains("configuration '" + file + "' OK");
      System.out.println("envoy --mode validate: " + e.getKey() + ": OK");
    }
    assertThat(n).isGreaterThanOrEqualTo(3);
  }
}
