package dev.hfi.testkit;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The data-plane conformance suite on real Envoy ({@link EnvoyProcess}, the binary {@link
 * EnvoyBinary} finds) with two workers, so that every case also runs across two filter VMs.
 */
class EnvoyProcessConformanceIT extends DataPlaneConformance {

  @Override
  DataPlane start(URI controlPlane, Map<String, URI> upstreams, Duration pollTimeout) {
    EnvoyProcess.Builder b =
        EnvoyProcess.builder()
            .withControlPlane(controlPlane)
            .withPollTimeout(pollTimeout)
            .withConcurrency(2);
    upstreams.forEach(b::withUpstream);
    return b.build().start();
  }

  @Override
  int instancesPerNode() {
    return 2;
  }
}
