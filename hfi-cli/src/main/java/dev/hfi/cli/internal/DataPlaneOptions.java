package dev.hfi.cli.internal;

import dev.hfi.testkit.DataPlane;
import dev.hfi.testkit.EmbeddedDataPlane;
import dev.hfi.testkit.EnvoyProcess;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options {@code proxy} and {@code up} share: the proxy's upstream, port and node name, and the
 * data plane to choose and tune.
 */
final class DataPlaneOptions {

  /** Which proxy runs hfi-filter.wasm. */
  enum Kind {
    embedded,
    envoy
  }

  @Option(
      names = "--upstream",
      required = true,
      paramLabel = "URL",
      description = "The service behind the proxy, e.g. http://127.0.0.1:9000.")
  String upstream;

  @Option(
      names = "--listen",
      paramLabel = "PORT",
      defaultValue = "18000",
      description =
          "Port clients call instead of the upstream; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int listen;

  @Option(
      names = "--node",
      paramLabel = "NAME",
      defaultValue = "default",
      description =
          "Node name reported to the control plane; policies target it with spec.target.nodes"
              + " (default ${DEFAULT-VALUE}).")
  String node;

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

  /** The {@code --upstream} URL, checked. */
  URI upstream() {
    return Addresses.httpUri("--upstream", upstream);
  }

  /**
   * A builder of the chosen kind; the caller adds the settings both kinds take. The request journal
   * is off: a long-running proxy has nobody to read it.
   */
  DataPlane.Builder<?> builder() {
    if (kind == Kind.envoy) {
      EnvoyProcess.Builder b =
          EnvoyProcess.builder().withConcurrency(concurrency).withRequestJournal(false);
      if (envoyBinary != null) {
        b.withBinary(envoyBinary);
      }
      return b;
    }
    return EmbeddedDataPlane.builder().withRequestJournal(false);
  }
}
