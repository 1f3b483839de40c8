package dev.hfi.cli.internal;

import dev.hfi.testkit.EmbeddedDataPlane;
import dev.hfi.testkit.TestkitException;

/** Starts the embedded data plane for {@code proxy} and {@code up}, turning failures into words. */
final class DataPlanes {
  private DataPlanes() {}

  /**
   * Builds and starts the data plane.
   *
   * @throws CliException exit code 2 for a bad setting (the message names it), 1 when it cannot
   *     start (a port in use, the filters did not acknowledge in time)
   */
  static EmbeddedDataPlane start(EmbeddedDataPlane.Builder builder) {
    try {
      return builder.build().start();
    } catch (TestkitException e) {
      throw new CliException(
          e.code() == TestkitException.Code.INVALID_CONFIGURATION
              ? CliException.USAGE
              : CliException.FAILURE,
          "error: the proxy cannot start: " + e.getMessage(),
          e);
    }
  }
}
