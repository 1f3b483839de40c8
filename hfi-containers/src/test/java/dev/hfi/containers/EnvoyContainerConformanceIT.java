package dev.hfi.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.HfiClient;
import dev.hfi.client.PolicyCodec;
import dev.hfi.testcontainers.EnvoyContainer;
import dev.hfi.testcontainers.HfiControlPlaneContainer;
import dev.hfi.testcontainers.HfiImages;
import dev.hfi.testkit.DataPlane;
import dev.hfi.testkit.DataPlaneConformance;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Network;

/**
 * The data-plane conformance suite on HFI's {@code hfi-envoy} image ({@link EnvoyContainer}, two
 * workers) on a Testcontainers network: the control plane and the upstreams of the suite run in
 * this JVM on loopback and are reached through the host forwarder. One more case runs the control
 * plane as a container on the same network, addressed by its alias.
 */
class EnvoyContainerConformanceIT extends DataPlaneConformance {
  private static final HfiImages IMAGES = HfiImages.fromEnvironment();
  private static Network network;

  @AfterAll
  static void closeNetwork() {
    if (network != null) {
      network.close();
    }
  }

  /** Called first by the suite's own {@code @BeforeAll}, which runs before this class's. */
  @Override
  protected DataPlane.Builder<?> dataPlane() {
    if (network == null) {
      DockerRequirement.requireImages(IMAGES.envoy(), IMAGES.controlPlane());
      network = Network.newNetwork();
    }
    return EnvoyContainer.builder()
        .withImage(IMAGES.envoy())
        .withNetwork(network)
        .withConcurrency(2);
  }

  @Override
  protected int instancesPerNode() {
    return 2;
  }

  /**
   * The suite's "down" upstream listens on this machine's loopback: the container reaches it
   * through the host forwarder, which accepts the connection and resets it when the upstream
   * refuses, so Envoy sees a terminated connection instead of a refused one.
   */
  @Override
  protected String downUpstreamResetReason() {
    return "connection termination";
  }

  @Test
  void aControlPlaneContainerOnTheNetworkIsReachedByItsAlias() throws Exception {
    try (HfiControlPlaneContainer cp =
            new HfiControlPlaneContainer(IMAGES.controlPlane())
                .withNetwork(network)
                .withNetworkAliases("conformance-cp");
        HfiClient client = startAndConnect(cp);
        DataPlane envoy =
            EnvoyContainer.builder()
                .withImage(IMAGES.envoy())
                .withNetwork(network)
                .withControlPlane(cp.networkUri())
                .withControlPlaneFromHost(cp.uri())
                .withUpstream("aliased", upstreamUri())
                .start()) {
      assertThat(cp.networkUri()).isEqualTo(URI.create("http://conformance-cp:8080"));
      ApplyResult r =
          client.apply(
              """
              apiVersion: hfi.dev/v1alpha1
              kind: FaultInjectionPolicy
              metadata: {name: aliased-down}
              spec:
                target: {nodes: [aliased]}
                fault: {abort: {httpStatus: 418}}
              """,
              PolicyCodec.Format.YAML);
      client.awaitApplied(r.revision(), Duration.ofSeconds(30));
      HttpResponse<String> aborted = sendThrough(envoy, "/anything");
      assertThat(aborted.statusCode()).isEqualTo(418);
      assertThat(aborted.headers().firstValue("x-hfi-fault")).hasValue("aliased-down");
      assertThat(client.nodes().items())
          .filteredOn(i -> i.node().equals("aliased") && !i.stale())
          .hasSizeGreaterThanOrEqualTo(instancesPerNode());
    }
  }

  private static HfiClient startAndConnect(HfiControlPlaneContainer cp) {
    cp.start();
    return cp.client();
  }
}
