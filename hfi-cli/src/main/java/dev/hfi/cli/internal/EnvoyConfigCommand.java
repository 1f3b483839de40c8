package dev.hfi.cli.internal;

import dev.hfi.testkit.EnvoyConfig;
import dev.hfi.testkit.TestkitException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hfi envoy-config}: prints the Envoy bootstrap HFI would run, for running Envoy yourself.
 */
@Command(
    name = "envoy-config",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Print the Envoy bootstrap (envoy.yaml) that runs hfi-filter.wasm in front of the given"
          + " upstreams: one listener per upstream, from --first-port on, each reporting to the"
          + " control plane (--control-plane-addr) as node NAME.",
      "Check it with 'envoy --mode validate -c envoy.yaml' and run it with 'envoy -c envoy.yaml';"
          + " the filter must be at --filter-path (hfi-filter.wasm ships in the dev.hfi:hfi-wasm-filter"
          + " jar and the hfi-filter image)."
    })
final class EnvoyConfigCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--upstream",
      required = true,
      paramLabel = "NAME=URL",
      description =
          "An upstream, e.g. orders=http://127.0.0.1:9000; repeat for more. NAME is the listener"
              + " and the node name policies target.")
  Map<String, String> upstreams = new LinkedHashMap<>();

  @Option(
      names = "--first-port",
      paramLabel = "PORT",
      defaultValue = "10000",
      description =
          "Listener port of the first upstream; one more per upstream (default ${DEFAULT-VALUE}).")
  int firstPort;

  @Option(
      names = "--listen-address",
      paramLabel = "ADDR",
      defaultValue = "0.0.0.0",
      description = "Address the listeners bind (default ${DEFAULT-VALUE}).")
  String listenAddress;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      defaultValue = "9901",
      description = "Port of Envoy's admin interface, on 127.0.0.1 (default ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(
      names = "--filter-path",
      paramLabel = "PATH",
      defaultValue = EnvoyConfig.DEFAULT_FILTER_PATH,
      description = "Where Envoy finds hfi-filter.wasm (default ${DEFAULT-VALUE}).")
  String filterPath;

  @Option(
      names = "--trusted-ca",
      paramLabel = "PEM",
      defaultValue = EnvoyConfig.DEFAULT_TRUSTED_CA,
      description = "CA bundle Envoy trusts for https:// upstreams (default ${DEFAULT-VALUE}).")
  String trustedCa;

  @Override
  public Integer call() {
    HfiCommand root = HfiCommand.of(spec);
    URI cp = root.controlPlaneUri();
    EnvoyConfig.Builder b =
        EnvoyConfig.builder()
            .withListenAddress(listenAddress)
            .withAdminPort(adminPort)
            .withControlPlane(cp.getHost(), cp.getPort() != -1 ? cp.getPort() : 80)
            .withControlPlaneToken(root.serverToken())
            .withFilterPath(filterPath)
            .withTrustedCa(trustedCa);
    int port = firstPort;
    for (Map.Entry<String, String> u : upstreams.entrySet()) {
      b.withUpstream(
          u.getKey(),
          u.getKey(),
          port++,
          Addresses.httpUri("--upstream " + u.getKey(), u.getValue()));
    }
    String yaml;
    try {
      yaml = b.build().toYaml();
    } catch (TestkitException e) {
      throw CliException.invalid("error: " + e.getMessage());
    }
    spec.commandLine().getOut().print(yaml);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
