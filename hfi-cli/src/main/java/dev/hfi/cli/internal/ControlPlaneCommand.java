package dev.hfi.cli.internal;

import dev.hfi.client.HfiException;
import dev.hfi.client.internal.Limits;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.PolicyStore;
import dev.hfi.controlplane.StoreSelection;
import dev.hfi.store.etcd.EtcdPolicyStore;
import java.io.File;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
  @Spec CommandSpec spec;

  @Mixin LogOptions log;

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
  StoreSelection.Kind store;

  @Option(
      names = "--etcd-endpoints",
      paramLabel = "URL",
      split = ",",
      description = "etcd client URLs for --store etcd, e.g. http://127.0.0.1:2379.")
  List<String> etcdEndpoints;

  @Option(
      names = "--etcd-prefix",
      paramLabel = "PREFIX",
      description = "Key prefix in etcd (default " + EtcdPolicyStore.DEFAULT_PREFIX + ").")
  String etcdPrefix;

  @Option(names = "--etcd-user", paramLabel = "USER", description = "etcd user (etcd auth).")
  String etcdUser;

  @Option(
      names = "--etcd-password",
      paramLabel = "PASSWORD",
      description = "Its password (default: env HFI_ETCD_PASSWORD, which ps does not show).")
  String etcdPassword;

  @Option(
      names = "--etcd-ca",
      paramLabel = "FILE",
      description = "PEM CA of etcd's server certificate (with https:// endpoints).")
  File etcdCa;

  @Option(
      names = "--etcd-cert",
      paramLabel = "FILE",
      description = "PEM client certificate, for etcd's --client-cert-auth.")
  File etcdCert;

  @Option(names = "--etcd-key", paramLabel = "FILE", description = "Its PKCS#8 key.")
  File etcdKey;

  @Option(
      names = "--etcd-lease-ttl",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Leader-election lease: how fast another replica takes over policy expiry (default"
              + " 10s).")
  Duration etcdLeaseTtl;

  @Option(
      names = "--etcd-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long one etcd request may take before etcd counts as unavailable (default 2s).")
  Duration etcdTimeout;

  @Option(
      names = "--stale-after",
      paramLabel = "DURATION",
      defaultValue = "90s",
      converter = DurationConverter.class,
      description =
          "A data-plane instance that has not polled for this long is stale (default"
              + " ${DEFAULT-VALUE}).")
  Duration staleAfter;

  @Option(
      names = "--node-expiry",
      paramLabel = "DURATION",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description =
          "A data-plane instance that has not polled for this long is dropped from the node list"
              + " (default ${DEFAULT-VALUE}).")
  Duration nodeExpiry;

  @Option(
      names = "--max-policies",
      paramLabel = "N",
      defaultValue = "" + Limits.DEFAULT_MAX_POLICIES,
      description =
          "The most policies the API stores (env HFI_MAX_POLICIES; default ${DEFAULT-VALUE});"
              + " creating one more is refused with 400. The rule-set size limits stay, whatever"
              + " N is (docs/API_REFERENCE.md, Limits).")
  int maxPolicies;

  @Option(
      names = "--allowed-hosts",
      split = ",",
      paramLabel = "NAME",
      description =
          "Host names the API answers to without a token on a loopback --bind, besides localhost,"
              + " 127.0.0.1 and ::1 (a foreign Host gets 403: DNS-rebinding guard).")
  List<String> allowedHosts = new ArrayList<>();

  @Override
  public Integer call() {
    log.apply();
    if (maxPolicies < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--max-policies: must be at least 1, got " + maxPolicies + " (env HFI_MAX_POLICIES)");
    }
    Ports.requireFree("--port", bind, port);
    PolicyStore policies = openStore();
    ControlPlaneServer server;
    try {
      server =
          ControlPlaneServer.builder()
              .withPort(port)
              .withBindAddress(bind)
              .withStaleAfter(staleAfter)
              .withNodeExpiry(nodeExpiry)
              .withMaxPolicies(maxPolicies)
              .withToken(HfiCommand.of(spec).serverToken())
              .withAllowedHosts(allowedHosts)
              .withStore(policies)
              .build()
              .start();
    } catch (HfiException e) {
      policies.close();
      CliException busy = Ports.busyOrNull("--port", bind, port, e);
      throw busy != null
          ? busy
          : new CliException(CliException.FAILURE, "error: " + e.getMessage(), e);
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
    out.println("control plane stopped");
    out.flush();
    return 0;
  }

  /** Invalid settings are an {@code INVALID_CONFIGURATION} error: exit code 2 (see Errors). */
  private PolicyStore openStore() {
    return new StoreSelection(
            store,
            etcdEndpoints,
            etcdPrefix,
            etcdUser,
            etcdPassword,
            etcdCa,
            etcdCert,
            etcdKey,
            etcdLeaseTtl,
            etcdTimeout)
        .open();
  }
}
