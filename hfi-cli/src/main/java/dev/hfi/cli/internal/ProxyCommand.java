package dev.hfi.cli.internal;

import dev.hfi.testkit.DataPlane;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hfi proxy}: a data plane (embedded or Envoy) in front of one upstream, until Ctrl-C. */
@Command(
    name = "proxy",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Run a data plane in front of one upstream, until Ctrl-C: the embedded proxy running"
          + " hfi-filter.wasm on the JVM, or real Envoy running the same filter (--data-plane envoy).",
      "It serves at once and follows the control plane in the background (retrying while it is"
          + " unreachable); injected aborts carry the header x-hfi-fault: POLICY."
    })
final class ProxyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LogOptions log;

  @Option(
      names = "--control-plane",
      paramLabel = "URL",
      description = "The control plane to follow (default: --control-plane-addr).")
  String controlPlane;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description = "Address to listen on; 0.0.0.0 for every interface (default ${DEFAULT-VALUE}).")
  String bind;

  @Mixin DataPlaneOptions dataPlane;

  @Override
  public Integer call() {
    log.apply();
    HfiCommand root = HfiCommand.of(spec);
    URI cp =
        controlPlane != null
            ? Addresses.httpUri("--control-plane", controlPlane)
            : root.controlPlaneUri();
    URI up = dataPlane.upstream();
    // Before the data plane starts, so that a busy port leaves no trace on the control plane.
    Ports.requireFree("--listen", bind, dataPlane.listen);
    DataPlane proxy =
        DataPlanes.start(
            dataPlane
                .builder()
                .withControlPlane(cp)
                .withControlPlaneToken(root.serverToken())
                .withBindAddress(bind)
                .withUpstream(dataPlane.node, up, dataPlane.listen)
                .withReadyTimeout(Duration.ZERO),
            bind,
            dataPlane.listen);
    PrintWriter out = spec.commandLine().getOut();
    out.println(DataPlanes.describe(proxy, dataPlane.node, up, cp));
    out.flush();
    UntilStopped.await(proxy::close);
    out.println("proxy stopped");
    out.flush();
    return 0;
  }
}
