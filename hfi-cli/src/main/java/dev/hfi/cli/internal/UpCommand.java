package dev.hfi.cli.internal;

import dev.hfi.client.HfiException;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.testkit.DataPlane;
import java.io.PrintWriter;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hfi up}: a control plane and a proxy in one process, for trying HFI in a minute. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Run a control plane (memory store) and a proxy in front of one upstream (the embedded one,"
          + " or real Envoy with --data-plane envoy), until Ctrl-C. For trying HFI out: see 'Try it"
          + " in a minute' in the README.",
      "It returns to you once the proxy has applied the control plane's rule set."
    })
final class UpCommand implements Callable<Integer> {
  /** Where both the control plane and the proxy of {@code up} listen. */
  private static final String LOOPBACK = "127.0.0.1";

  @Spec CommandSpec spec;

  @Mixin LogOptions log;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description =
          "Control-plane port, where the other hfi commands look by default; 0 picks a free one"
              + " (default ${DEFAULT-VALUE}).")
  int port;

  @Mixin DataPlaneOptions dataPlane;

  @Override
  public Integer call() {
    log.apply();
    HfiCommand root = HfiCommand.of(spec);
    URI up = dataPlane.upstream();
    PrintWriter out = spec.commandLine().getOut();
    Ports.requireFree("--port", LOOPBACK, port);
    Ports.requireFree("--listen", LOOPBACK, dataPlane.listen);
    MemoryPolicyStore store = new MemoryPolicyStore();
    ControlPlaneServer server;
    try {
      server =
          ControlPlaneServer.builder()
              .withPort(port)
              .withBindAddress(LOOPBACK)
              .withToken(root.serverToken())
              .withStore(store)
              .build()
              .start();
    } catch (HfiException e) {
      store.close();
      CliException busy = Ports.busyOrNull("--port", LOOPBACK, port, e);
      throw busy != null
          ? busy
          : new CliException(CliException.FAILURE, "error: " + e.getMessage(), e);
    }
    out.println("control plane listening on " + server.uri() + " (store: memory)");
    out.flush();
    DataPlane proxy;
    try {
      proxy =
          DataPlanes.start(
              dataPlane
                  .builder()
                  .withControlPlane(server.uri())
                  .withControlPlaneToken(root.serverToken())
                  .withBindAddress(LOOPBACK)
                  .withUpstream(dataPlane.node, up, dataPlane.listen)
                  .withReadyTimeout(root.timeout()),
              LOOPBACK,
              dataPlane.listen);
    } catch (RuntimeException e) {
      server.close();
      store.close();
      throw e;
    }
    out.println(DataPlanes.describe(proxy, dataPlane.node, up, null));
    if (server.port() != 8080) {
      out.println("for the other hfi commands: export HFI_CONTROL_PLANE=" + server.uri());
    }
    out.println("ready; Ctrl-C to stop");
    out.flush();
    UntilStopped.await(
        () -> {
          proxy.close();
          server.close();
          store.close();
        });
    return 0;
  }
}
