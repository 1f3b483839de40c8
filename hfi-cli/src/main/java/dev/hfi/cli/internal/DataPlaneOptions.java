package dev.hfi.cli.internal;

import dev.hfi.testkit.DataPlane;
import dev.hfi.testkit.EmbeddedDataPlane;
import dev.hfi.testkit.EnvoyProcess;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options {@code proxy} and {@code up} share to choose and tune the data plane. */
final class DataPlaneOptions {

  /** Which proxy runs hfi-filter.wasm. */
  enum Kind {
    embedded,
    envoy
  }

  @Option(
      names = "--data-plane",
      paramLabel = "KIND",
      defaultValue = "embedded",
      description =
          "embedded (the in-JVM proxy) or envoy (a real Envoy process running the same filter;"
              + " the binary from --envoy-binary, hfi.envoy.binary, HFI_ENVOY_BINARY or PATH)"
              + " (default ${DEFAULT-VALUE}).")
  Kind kind;

  @Option(
      names = "--envoy-binary",
      paramLabel = "PATH",
      description = "The envoy binary for --data-plane envoy (default: HFI_ENVOY_BINARY, PATH).")
  Path envoyBinary;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "2",
      description = "Envoy worker threads for --data-plane envoy (default ${DEFAULT-VALUE}).")
  int concurrency;

  /** A builder of the chosen kind; the caller adds the settings both kinds take. */
  DataPlane.Builder<?> builder() {
    if (kind == Kind.envoy) {
      EnvoyProcess.Builder b = EnvoyProcess.builder().withConcurrency(concurrency);
      if (envoyBinary != null) {
        b.withBinary(envoyBinary);
      }
      return b;
    }
    return EmbeddedDataPlane.builder();
  }
}
