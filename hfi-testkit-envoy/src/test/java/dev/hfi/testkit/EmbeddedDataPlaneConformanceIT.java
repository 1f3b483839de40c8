package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The data-plane conformance suite on the embedded data plane (the filter on Chicory in this JVM).
 */
class EmbeddedDataPlaneConformanceIT extends DataPlaneConformance {

  @Override
  protected DataPlane.Builder<?> dataPlane() {
    return EmbeddedDataPlane.builder();
  }

  @Override
  protected int instancesPerNode() {
    return 1;
  }

  @Override
  protected boolean passesGrpcToUpstreams() {
    return false;
  }

  @Test
  void startupCostIsMeasuredAndMetricsArePerListenerToo() throws Exception {
    EmbeddedDataPlane embedded = (EmbeddedDataPlane) proxy;
    assertThat(embedded.startupCost().total()).isPositive();
    apply(
        """
        metadata: {name: per-listener}
        spec:
          target: {nodes: [payments]}
          fault: {abort: {httpStatus: 503}}
        """);
    get("payments", "/x");
    assertThat(embedded.metrics("payments"))
        .containsEntry("hfi.policy.per-listener.injections_total", 1L);
    assertThat(embedded.metrics("orders"))
        .doesNotContainKey("hfi.policy.per-listener.injections_total");
  }
}
