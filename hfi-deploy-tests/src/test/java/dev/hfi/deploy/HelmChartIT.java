package dev.hfi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code helm lint --strict} and {@code helm template} of deploy/helm/hfi with each values file.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HelmChartIT {

  @Test
  void lintPassesStrictlyForTheDefaultsAndEveryValuesFile() {
    for (String values : Deploy.VALUES) {
      Deploy.Result r =
          values.isEmpty()
              ? Deploy.run(Deploy.chart(), Deploy.helm().toString(), "lint", "--strict", ".")
              : Deploy.run(
                  Deploy.chart(),
                  Deploy.helm().toString(),
                  "lint",
                  "--strict",
                  ".",
                  "--values",
                  values);
      System.out.printf(
          "helm lint --strict (%s): %s%n",
          values.isEmpty() ? "default values" : values, r.output().trim().replace("\n", " | "));
      assertThat(r.exitCode()).as(r.output()).isZero();
      assertThat(r.output()).contains("1 chart(s) linted, 0 chart(s) failed");
      assertThat(r.output()).doesNotContain("[WARNING]").doesNotContain("[ERROR]");
    }
  }

  @Test
  void templateRendersEveryValuesFileWithTheObjectsItAsksFor() {
    assertThat(Deploy.objects(Deploy.rendered("")).keySet())
        .containsExactlyInAnyOrder(
            "Secret/hfi-control-plane-token",
            "ServiceAccount/hfi-control-plane",
            "Service/hfi-control-plane",
            "Service/hfi-etcd",
            "Service/hfi-etcd-peer",
            "Deployment/hfi-control-plane",
            "StatefulSet/hfi-etcd",
            "PodDisruptionBudget/hfi-control-plane",
            "PodDisruptionBudget/hfi-etcd");
    assertThat(Deploy.objects(Deploy.rendered("ci/memory-values.yaml")).keySet())
        .containsExactlyInAnyOrder(
            "Secret/hfi-control-plane-token",
            "ServiceAccount/hfi-control-plane",
            "Service/hfi-control-plane",
            "Deployment/hfi-control-plane");
    assertThat(Deploy.objects(Deploy.rendered("ci/etcd-bundled-values.yaml")).keySet())
        .contains("StatefulSet/hfi-etcd", "ConfigMap/sample-app-envoy", "Deployment/sample-app")
        .doesNotContain("PodDisruptionBudget/hfi-etcd");
    assertThat(Deploy.objects(Deploy.rendered("ci/etcd-external-values.yaml")).keySet())
        .as("an existing token Secret and an external etcd: the chart creates neither")
        .doesNotContain("Secret/hfi-control-plane-token", "StatefulSet/hfi-etcd");
    var env =
        Deploy.objects(Deploy.rendered("ci/etcd-external-values.yaml"))
            .get("Deployment/hfi-control-plane")
            .at("/spec/template/spec/containers/0/env");
    assertThat(env.toString())
        .contains("http://etcd-0.etcd.storage.svc.cluster.local:2379,")
        .contains("{\"name\":\"hfi-api\",\"key\":\"api-token\"}")
        .contains("HFI_ETCD_PREFIX");
  }

  @Test
  void aMisconfigurationFailsWithAMessageNamingTheValue() {
    Deploy.Result memoryWithTwo = templateWith("store.type=memory");
    assertThat(memoryWithTwo.exitCode()).isNotZero();
    assertThat(memoryWithTwo.output()).contains("set controlPlane.replicas=1");
    Deploy.Result noEndpoints = templateWith("store.etcd.bundled.enabled=false");
    assertThat(noEndpoints.exitCode()).isNotZero();
    assertThat(noEndpoints.output()).contains("store.etcd.endpoints");
    Deploy.Result badToken = templateWith("token.value=a|b");
    assertThat(badToken.exitCode()).isNotZero();
    assertThat(badToken.output()).contains("token.value");
  }

  private static Deploy.Result templateWith(String setting) {
    return Deploy.run(
        Deploy.chart(), Deploy.helm().toString(), "template", "hfi", ".", "--set", setting);
  }
}
