package dev.hfi.cli.internal;

import dev.hfi.client.ControlPlaneUnreachableException;
import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.NotAControlPlaneException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Turns exceptions into one line on stderr (one per problem of an invalid policy) and an exit code
 * (kubectl's wording where it has one).
 */
final class Errors {
  private Errors() {}

  /** Handles exceptions thrown by commands. */
  static final class ExecutionHandler implements CommandLine.IExecutionExceptionHandler {
    private final HfiCommand root;

    ExecutionHandler(HfiCommand root) {
      this.root = root;
    }

    @Override
    public int handleExecutionException(
        Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
      PrintWriter err = cl.getErr();
      err.println(message(e));
      if (root.verbose()) {
        e.printStackTrace(err);
      }
      err.flush();
      return exitCode(e);
    }
  }

  /** Handles usage errors: one line naming the problem and the help to read, exit code 2. */
  static final class UsageHandler implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
      CommandLine cl = e.getCommandLine();
      PrintWriter err = cl.getErr();
      err.println(
          "error: "
              + e.getMessage()
              + "; see '"
              + cl.getCommandSpec().qualifiedName()
              + " --help'");
      if (HfiCommand.of(cl.getCommandSpec()).verbose()) {
        e.printStackTrace(err);
      }
      err.flush();
      return CliException.USAGE;
    }
  }

  /** The usage error of a command group called without a subcommand. */
  static CommandLine.ParameterException missingSubcommand(CommandSpec spec) {
    return new CommandLine.ParameterException(
        spec.commandLine(),
        "missing a command: one of "
            + String.join(
                ", ",
                spec.subcommands().values().stream()
                    .map(CommandLine::getCommandName)
                    .distinct()
                    .filter(n -> !n.equals("help"))
                    .toList()));
  }

  /** What is printed for {@code e}: one line, or one per problem of an invalid policy. */
  static String message(Exception e) {
    return String.join(System.lineSeparator(), lines(e));
  }

  /** The lines printed for {@code e}: one, or one per problem of an invalid policy. */
  static List<String> lines(Exception e) {
    if (e instanceof CliException c) {
      return List.of(c.getMessage());
    }
    if (e instanceof NotAControlPlaneException n) {
      return List.of(
          "error: "
              + n.getMessage()
              + "; point --control-plane-addr (env "
              + HfiCommand.ENV_ADDR
              + ") at the control plane");
    }
    if (e instanceof ControlPlaneUnreachableException u) {
      return List.of(
          "error: "
              + u.getMessage()
              + "; is it running? Start one with 'hfi control-plane' or 'hfi up', or point"
              + " --control-plane-addr (env "
              + HfiCommand.ENV_ADDR
              + ") at it");
    }
    if (e instanceof InvalidPolicyException i) {
      return i.problems().stream().map(p -> "Error from server (Invalid): " + p).toList();
    }
    if (e instanceof HfiException h) {
      if (h.code().httpStatus() <= 0) {
        return List.of("error: " + h.getMessage());
      }
      return List.of("Error from server (" + h.code().code() + "): " + h.getMessage() + hint(h));
    }
    if (e instanceof IllegalArgumentException) {
      return List.of("error: " + e.getMessage());
    }
    return List.of("error: " + e);
  }

  /** How to fix a refusal that is about the caller's credentials. */
  private static String hint(HfiException h) {
    return switch (h.code()) {
      case UNAUTHORIZED ->
          "; the CLI sends the token given with --token (env " + HfiCommand.ENV_TOKEN + ")";
      case FORBIDDEN ->
          "; a control plane started with --token serves any Host to clients that pass that"
              + " token with --token (env "
              + HfiCommand.ENV_TOKEN
              + ")";
      default -> "";
    };
  }

  /** The exit code for {@code e}: 2 for invalid input (a bad policy or setting), else 1. */
  static int exitCode(Exception e) {
    if (e instanceof CliException c) {
      return c.exitCode();
    }
    if (e instanceof InvalidPolicyException
        || (e instanceof HfiException h && h.code() == ErrorCode.INVALID_CONFIGURATION)
        || e instanceof IllegalArgumentException) {
      return CliException.USAGE;
    }
    return CliException.FAILURE;
  }
}
