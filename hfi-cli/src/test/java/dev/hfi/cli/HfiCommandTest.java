package dev.hfi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing, help, version and usage errors: nothing here needs a control plane. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HfiCommandTest {
  private final Cli cli = Cli.against(null);

  @Test
  void helpListsEveryCommandGlobalOptionAndExitCode() {
    Cli.Result r = cli.run("--help");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("Usage: hfi")
        .contains("policy", "nodes", "control-plane", "proxy", "up")
        .contains("--control-plane-addr=URL", "--timeout=DURATION", "--verbose", "--version")
        .contains("0  success", "1  failure", "2  usage error");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void versionNamesTheProjectVersion() {
    Cli.Result r = cli.run("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("hfi 0.").contains("Java ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "policy",
        "policy apply",
        "policy get",
        "policy delete",
        "policy watch",
        "nodes",
        "control-plane",
        "proxy",
        "up"
      })
  void everyCommandHasHelpWithTheGlobalOptions(String command) {
    List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
    args.add("--help");
    Cli.Result r = cli.run(args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("Usage: hfi " + command)
        .contains("--control-plane-addr=URL")
        .contains("--timeout=DURATION");
  }

  @Test
  void noCommandIsAUsageErrorOnOneLine() {
    Cli.Result r = cli.run();
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err())
        .contains("missing a command: one of policy, nodes")
        .contains("'hfi --help'");
  }

  @Test
  void policyWithoutSubcommandNamesTheSubcommands() {
    Cli.Result r = cli.run("policy");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("missing a command: one of apply, get, delete, watch")
        .contains("'hfi policy --help'");
  }

  @Test
  void unknownOptionIsAUsageError() {
    Cli.Result r = cli.run("policy", "get", "--colour");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).contains("Unknown option: '--colour'").contains("'hfi policy get --help'");
  }

  @Test
  void unknownCommandIsAUsageError() {
    Cli.Result r = cli.run("polcy", "get");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: Unmatched arguments");
  }

  @Test
  void applyWithoutFileIsAUsageError() {
    Cli.Result r = cli.run("policy", "apply");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required option: '--filename=FILE|DIR|-'");
  }

  @Test
  void deleteWithoutNameIsAUsageError() {
    Cli.Result r = cli.run("policy", "delete");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'NAME'");
  }

  @Test
  void unknownOutputFormatListsTheValidOnes() {
    Cli.Result r = cli.run("policy", "get", "-o", "xml");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("xml").contains("table, yaml, json");
  }

  @Test
  void badTimeoutSaysWhatADurationLooksLike() {
    Cli.Result r = cli.run("--timeout", "soon", "nodes");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--timeout").contains("such as 500ms, 30s");
  }

  @Test
  void badControlPlaneAddressIsInvalidInput() {
    Cli.Result r = cli.run("nodes", "--control-plane-addr", "ftp://example");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "error: --control-plane-addr: expected a URL such as http://127.0.0.1:8080, got"
                + " \"ftp://example\"");
  }

  @Test
  void aZeroOrMalformedNodeExpiryIsAUsageErrorNamingIt() {
    Cli.Result zero = cli.run("control-plane", "--port", "0", "--node-expiry", "0s");
    assertThat(zero.exitCode()).isEqualTo(2);
    assertThat(zero.err())
        .startsWith("error: Invalid value for option '--node-expiry'")
        .contains("positive", "'0s'");
    Cli.Result malformed = cli.run("control-plane", "--port", "0", "--node-expiry", "soon");
    assertThat(malformed.exitCode()).isEqualTo(2);
    assertThat(malformed.err()).contains("--node-expiry").contains("soon");
  }

  @Test
  void aMaxPoliciesBelowOneIsAUsageErrorAlsoFromItsVariable() {
    Cli.Result r = cli.run("control-plane", "--port", "0", "--max-policies", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --max-policies: must be at least 1, got 0");
    Cli.Result fromEnv =
        Cli.against(URI.create("http://127.0.0.1:1"))
            .env("HFI_MAX_POLICIES", "-5")
            .run("control-plane", "--port", "0");
    assertThat(fromEnv.exitCode()).isEqualTo(2);
    assertThat(fromEnv.err()).startsWith("error: --max-policies: must be at least 1, got -5");
  }

  @Test
  void etcdStoreWithoutEndpointsIsAUsageError() {
    Cli.Result r = cli.run("control-plane", "--store", "etcd", "--port", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--store etcd needs --etcd-endpoints");
  }

  @Test
  void etcdOptionsWithoutTheEtcdStoreAreAUsageError() {
    Cli.Result r = cli.run("control-plane", "--port", "0", "--etcd-prefix", "/x/");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --etcd-prefix needs --store etcd");
  }

  @Test
  void halfGivenEtcdCredentialsAreInvalidInput() {
    Cli.Result r =
        cli.run(
            "control-plane",
            "--port",
            "0",
            "--store",
            "etcd",
            "--etcd-endpoints",
            "http://127.0.0.1:1",
            "--etcd-user",
            "root");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "error: etcd user and password go together: give both --etcd-user and"
                + " --etcd-password");
  }

  @Test
  void servingCommandsTakeEveryOptionFromItsHfiVariableAndArgumentsWin() {
    Cli env =
        Cli.against(URI.create("http://control-plane:9090"))
            .env("HFI_FIRST_PORT", "20000")
            .env("HFI_LISTEN_ADDRESS", "127.0.0.1")
            .env("HFI_TOKEN", "s3cret");
    Cli.Result r = env.run("envoy-config", "--upstream", "orders=http://orders:9000");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("port_value: 20000", "address: 127.0.0.1")
        .contains("control-plane", "9090", "s3cret");

    Cli.Result argumentWins =
        env.run("envoy-config", "--upstream", "orders=http://orders:9000", "--first-port", "30000");
    assertThat(argumentWins.out()).contains("port_value: 30000").doesNotContain("20000");
  }

  @Test
  void aBadValueFromTheEnvironmentIsAUsageError() {
    Cli.Result r =
        Cli.against(null)
            .env("HFI_FIRST_PORT", "ten")
            .run("envoy-config", "--upstream", "orders=http://orders:9000");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("--first-port", "ten");
  }
}
