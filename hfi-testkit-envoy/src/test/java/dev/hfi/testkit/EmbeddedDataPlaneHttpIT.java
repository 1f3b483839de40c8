package dev.hfi.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** {@link AbstractDataPlaneHttpContract} against the embedded data plane. */
class EmbeddedDataPlaneHttpIT extends AbstractDataPlaneHttpContract {
  @Override
  RunningDataPlane start(URI controlPlane, Map<String, URI> upstreams, Path trustedCaPem) {
    EmbeddedDataPlane.Builder b = EmbeddedDataPlane.builder().withControlPlane(controlPlane);
    upstreams.forEach(b::withUpstream);
    if (trustedCaPem != null) {
      b.withUpstreamTrust(trustedCaPem);
    }
    EmbeddedDataPlane dataPlane = b.build().start();
    return new RunningDataPlane() {
      @Override
      public URI proxyUri(String upstream) {
        return dataPlane.proxyUri(upstream);
      }

      @Override
      public void close() {
        dataPlane.close();
      }
    };
  }
}
