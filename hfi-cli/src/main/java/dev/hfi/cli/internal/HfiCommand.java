package dev.hfi.cli.internal;

import dev.hfi.client.HfiClient;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code hfi}: the root command, holding the global options every subcommand inherits. */
@Command(
    name = "hfi",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "HFI, the Holistic Fault Injector: manage fault-injection policies and run HFI.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      PolicyCommand.class,
      NodesCommand.class,
      ControlPlaneCommand.class,
      ProxyCommand.class,
      UpCommand.class,
      EnvoyConfigCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  success",
      "  1  failure: the server said no or is unreachable, a wait timed out, or a port is in use",
      "  2  usage error or invalid input",
      "",
      "Run 'hfi COMMAND --help' for a command's options. Documentation: docs/CLI.md"
    })
public final class HfiCommand implements Callable<Integer> {
  static final String DEFAULT_ADDR = "http://localhost:8080";
  static final String ENV_ADDR = "HFI_CONTROL_PLANE";
  static final String ENV_TOKEN = "HFI_TOKEN";
  private static final Set<String> SERVING_COMMANDS =
      Set.of("control-plane", "proxy", "up", "envoy-config");

  @Spec CommandSpec spec;

  @Option(
      names = "--control-plane-addr",
      scope = ScopeType.INHERIT,
      paramLabel = "URL",
      description =
          "The control plane's address (default: env " + ENV_ADDR + ", else " + DEFAULT_ADDR + ").")
  String controlPlaneAddr;

  @Option(
      names = "--timeout",
      scope = ScopeType.INHERIT,
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long one call to the control plane, or a --wait, may take (default 30s).")
  Duration timeout;

  @Option(
      names = "--token",
      scope = ScopeType.INHERIT,
      paramLabel = "TOKEN",
      description = "Bearer token for a control plane that requires one (env " + ENV_TOKEN + ").")
  String token;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Print stack traces with errors.")
  boolean verbose;

  private final InputStream in;
  private final Map<String, String> env;

  private HfiCommand(InputStream in, Map<String, String> env) {
    this.in = in;
    this.env = env;
  }

  /** The command line for {@code hfi}, writing to {@code out} and {@code err}. */
  public static CommandLine commandLine(
      InputStream in, PrintWriter out, PrintWriter err, Map<String, String> env) {
    HfiCommand root = new HfiCommand(in, env);
    CommandLine cl = new CommandLine(root);
    cl.setDefaultValueProvider(arg -> envDefault(arg, env));
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(new Errors.ExecutionHandler(root));
    cl.setParameterExceptionHandler(new Errors.UsageHandler());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  /**
   * Every option of the commands that serve (and the global ones) takes its default from the
   * environment, so containers and Kubernetes configure HFI without arguments: {@code
   * --etcd-endpoints} from {@code HFI_ETCD_ENDPOINTS}, and so on ({@link #envName}). An argument on
   * the command line wins.
   */
  private static String envDefault(ArgSpec arg, Map<String, String> env) {
    if (!(arg instanceof OptionSpec option)
        || option.usageHelp()
        || option.versionHelp()
        || !(option.inherited()
            || option.command().parent() == null
            || SERVING_COMMANDS.contains(option.command().name()))) {
      return null;
    }
    String value = env.get(envName(option));
    if (value == null && "--control-plane-addr".equals(option.longestName())) {
      return DEFAULT_ADDR;
    }
    return value;
  }

  /**
   * The environment variable of an option: {@code HFI_} and its long name in upper case with dashes
   * as underscores ({@code --etcd-endpoints} -> {@code HFI_ETCD_ENDPOINTS}); {@code
   * --control-plane-addr} reads {@code HFI_CONTROL_PLANE}, the name kubectl-like tools use.
   */
  static String envName(OptionSpec option) {
    String name = option.longestName();
    if ("--control-plane-addr".equals(name)) {
      return ENV_ADDR;
    }
    return "HFI_" + name.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public Integer call() {
    throw Errors.missingSubcommand(spec);
  }

  /** What {@code -f -} reads. */
  InputStream stdin() {
    return in;
  }

  /** The environment the command runs in. */
  Map<String, String> env() {
    return env;
  }

  /** Whether {@code --verbose} was given. */
  boolean verbose() {
    return verbose;
  }

  /** The {@code --timeout}. */
  Duration timeout() {
    return timeout;
  }

  /** The control plane's address, checked. */
  URI controlPlaneUri() {
    return Addresses.httpUri("--control-plane-addr", controlPlaneAddr);
  }

  /** A client for the control plane at {@code --control-plane-addr}; the caller closes it. */
  HfiClient client() {
    return HfiClient.builder()
        .withBaseUri(controlPlaneUri())
        .withTimeout(timeout)
        .withToken(serverToken())
        .build();
  }

  /** The {@code --token} (or {@code HFI_TOKEN}), null when none. */
  String serverToken() {
    return token == null || token.isBlank() ? null : token;
  }

  /** The root command of any command's spec. */
  static HfiCommand of(CommandSpec spec) {
    return (HfiCommand) spec.root().userObject();
  }
}
