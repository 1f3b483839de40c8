package dev.hfi.cli.internal;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The ports the serving commands listen on: checked before anything starts (so that a busy port
 * leaves nothing half started, and no data plane registers with a control plane), and a bind
 * failure while starting worded the same way.
 */
final class Ports {
  private Ports() {}

  /**
   * Fails with exit code 1 when {@code port} (set by {@code option}) of {@code bindAddress} is in
   * use; port 0 (any free one) always passes. The port is released at once: the component that
   * listens on it binds it again (if it is taken in between, {@link #busyOrNull} words that).
   */
  static void requireFree(String option, String bindAddress, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket s = new ServerSocket()) {
      // As Jetty and Envoy bind: a port in TIME_WAIT is free, one that something listens on is not.
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(bindAddress, port));
    } catch (BindException e) {
      throw busy(option, bindAddress, port, e);
    } catch (IOException e) {
      // Anything else (an address this host does not have, ...) is left to the component to report.
    }
  }

  /** The failure of a busy port, or null when {@code e} is not one. */
  static CliException busyOrNull(String option, String bindAddress, int port, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return busy(option, bindAddress, port, e);
      }
    }
    return null;
  }

  private static CliException busy(String option, String bindAddress, int port, Throwable e) {
    return new CliException(
        CliException.FAILURE,
        "error: cannot listen on "
            + bindAddress
            + ":"
            + port
            + ": the port is in use; choose another with "
            + option
            + " (0 picks a free one)",
        e);
  }
}
