package dev.hfi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The plain manifests and the chart describe the same objects: names, ports, probes, env, security
 * contexts, resources, volumes, every field but labels and annotations (the chart adds Helm's). The
 * default values are control-plane.yaml + etcd.yaml; ci/etcd-bundled-values.yaml (one etcd member,
 * no volume claim, the sample app) has etcd-single-member.yaml's etcd and the sample app.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ChartMatchesManifestsIT {

  private static Path manifest(String name) {
    return Deploy.root().resolve("deploy/kubernetes/" + name);
  }

  @Test
  void defaultValuesRenderTheControlPlaneAndTheThreeMemberEtcdOfThePlainManifests() {
    Map<String, ObjectNode> plain =
        Deploy.objects(manifest("control-plane.yaml"), manifest("etcd.yaml"));
    Map<String, ObjectNode> chart = Deploy.objects(Deploy.rendered(""));
    chart.remove("Secret/hfi-control-plane-token"); // the plain manifests' user creates it
    assertSame(plain, chart);
  }

  @Test
  void bundledSingleEtcdAndTheSampleAppMatchTheirPlainManifests() {
    Map<String, ObjectNode> plain =
        Deploy.objects(manifest("etcd-single-member.yaml"), manifest("sample-app-with-proxy.yaml"));
    Map<String, ObjectNode> chart = Deploy.objects(Deploy.rendered("ci/etcd-bundled-values.yaml"));
    chart.keySet().retainAll(plain.keySet());
    // The chart puts the sample in its release namespace; the plain manifest in hfi-demo.
    for (ObjectNode o : plain.values()) {
      if (o.path("metadata").path("namespace").asText().equals("hfi-demo")) {
        ((ObjectNode) o.get("metadata")).put("namespace", "hfi-system");
      }
    }
    assertSame(plain, chart);
  }

  @Test
  void theControlPlaneIsReachedOnTheSameNamePortProbesAndEnvEverywhere() {
    for (Path file :
        List.of(
            manifest("control-plane.yaml"),
            Deploy.rendered(""),
            Deploy.rendered("ci/memory-values.yaml"))) {
      Map<String, ObjectNode> o = Deploy.objects(file);
      JsonNode service = o.get("Service/hfi-control-plane");
      assertThat(service.at("/spec/ports/0/port").asInt()).as(file.toString()).isEqualTo(8080);
      assertThat(service.at("/spec/ports/0/name").asText()).isEqualTo("http");
      JsonNode container =
          o.get("Deployment/hfi-control-plane").at("/spec/template/spec/containers/0");
      assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
      assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
      assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
      assertThat(container.at("/env").toString()).contains("HFI_STORE").contains("HFI_TOKEN");
    }
  }

  private static void assertSame(Map<String, ObjectNode> plain, Map<String, ObjectNode> chart) {
    assertThat(chart.keySet()).containsExactlyInAnyOrderElementsOf(plain.keySet());
    for (Map.Entry<String, ObjectNode> e : plain.entrySet()) {
      JsonNode p = strip(e.getValue().deepCopy());
      JsonNode c = strip(chart.get(e.getKey()).deepCopy());
      assertThat(sorted(c))
          .as("%s: the chart's (actual) differs from the plain manifest's (expected)", e.getKey())
          .isEqualTo(sorted(p));
    }
    System.out.println("chart and plain manifests agree on " + plain.keySet());
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper SORTED =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);

  /** Pretty JSON with keys sorted: the same object gives the same text, a diff shows where. */
  private static String sorted(JsonNode node) {
    try {
      return SORTED.writeValueAsString(SORTED.convertValue(node, Object.class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  /** Without labels and annotations, wherever they are (selectors are kept). */
  private static JsonNode strip(JsonNode node) {
    if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      o.remove("labels");
      o.remove("annotations");
      for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
        strip(it.next());
      }
    } else if (node.isArray()) {
      node.forEach(ChartMatchesManifestsIT::strip);
    }
    return node;
  }
}
