package dev.hfi.cli.internal;

import dev.hfi.testkit.DataPlane;
import dev.hfi.testkit.EnvoyProcess;
import dev.hfi.testkit.TestkitException;
import java.net.URI;

/** Starts the data plane for {@code proxy} and {@code up}, turning failures into words. */
final class DataPlanes {
  private DataPlanes() {}

  /**
   * Starts the configured data plane.
   *
   * @throws CliException exit code 2 for a bad setting (the message names it), 1 when it cannot
   *     start (its port {@code listen} of {@code bindAddress} in use, no Envoy binary, the filters
   *     did not acknowledge in time)
   */
  static DataPlane start(DataPlane.Builder<?> builder, String bindAddress, int listen) {
    try {
      return builder.start();
    } catch (TestkitException e) {
      CliException busy = Ports.busyOrNull("--listen", bindAddress, listen, e);
      if (busy != null) {
        throw busy;
      }
      throw new CliException(
          e.code() == TestkitException.Code.INVALID_CONFIGURATION
              ? CliException.USAGE
              : CliException.FAILURE,
          "error: the proxy cannot start: " + e.getMessage(),
          e);
    }
  }

  /**
   * Where the proxy listens, its node, the control plane it follows (when not null), and for Envoy
   * its pid and admin interface.
   */
  static String describe(DataPlane proxy, String node, URI upstream, URI controlPlane) {
    StringBuilder line =
        new StringBuilder("proxy listening on ")
            .append(proxy.proxyUri(node))
            .append(" -> ")
            .append(upstream)
            .append(" (node ")
            .append(node);
    if (controlPlane != null) {
      line.append(", control plane ").append(controlPlane);
    }
    if (proxy instanceof EnvoyProcess envoy) {
      line.append(", Envoy pid ").append(envoy.pid()).append(", admin ").append(envoy.adminUri());
    }
    return line.append(')').toString();
  }
}
