package dev.hfi.cli.internal;

import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.EtcdPolicyStore;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.controlplane.PolicyStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hfi control-plane}: serves the control plane until Ctrl-C. */
@Command(
    name = "control-plane",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Run the control plane (REST API, rule-set stream, data-plane tracking) until Ctrl-C.",
      "With --token (or env HFI_TOKEN) every route but /healthz and /readyz requires"
          + " 'Authorization: Bearer TOKEN'. Logs go to stderr."
    })
final class ControlPlaneCommand implements Callable<Integer> {
  /** {@code --store}. */
  enum Store {
    memory,
    etcd
  }

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port to listen on; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description = "Address to bind; 0.0.0.0 for every interface (default ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--store",
      defaultValue = "memory",
      description =
          "Where policies live: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}). memory loses"
              + " them on exit; etcd keeps them and lets replicas share them.")
  Store store;

  @Option(
      names = "--etcd-endpoints",
      paramLabel = "URL",
      split = ",",
      description = "etcd client URLs for --store etcd, e.g. http://127.0.0.1:2379.")
  List<String> etcdEndpoints;

  @Option(
      names = "--etcd-prefix",
      paramLabel = "PREFIX",
      defaultValue = EtcdPolicyStore.DEFAULT_PREFIX,
      description = "Key prefix in etcd (default ${DEFAULT-VALUE}).")
  String etcdPrefix;

  @Override
  public Integer call() {
    PolicyStore policies = openStore();
    ControlPlaneServer server;
    try {
      server =
          ControlPlaneServer.builder()
              .withPort(port)
              .withBindAddress(bind)
              .withToken(HfiCommand.of(spec).serverToken())
              .withStore(policies)
              .build()
              .start();
    } catch (RuntimeException e) {
      policies.close();
      throw e;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("control plane listening on " + server.uri() + " (store: " + store + ")");
    out.flush();
    UntilStopped.await(
        () -> {
          server.close();
          policies.close();
        });
    return 0;
  }

  private PolicyStore openStore() {
    if (store == Store.memory) {
      if (etcdEndpoints != null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--etcd-endpoints needs --store etcd");
      }
      return new MemoryPolicyStore();
    }
    if (etcdEndpoints == null || etcdEndpoints.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--store etcd needs --etcd-endpoints, e.g. http://127.0.0.1:2379");
    }
    return EtcdPolicyStore.builder()
        .withEndpoints(etcdEndpoints.toArray(String[]::new))
        .withPrefix(etcdPrefix)
        .build();
  }
}
