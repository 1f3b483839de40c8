package dev.hfi.cli.internal;

import dev.hfi.client.ControlPlaneUnreachableException;
import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import dev.hfi.client.InvalidPolicyException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Turns exceptions into one line on stderr and an exit code (kubectl's wording where it has one).
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

  /** The one line printed for {@code e}. */
  static String message(Exception e) {
    if (e instanceof CliException c) {
      return c.getMessage();
    }
    if (e instanceof ControlPlaneUnreachableException u) {
      return "error: "
          + u.getMessage()
          + "; is it running? Start one with 'hfi control-plane' or 'hfi up', or point"
          + " --control-plane-addr (env HFI_CONTROL_PLANE) at it";
    }
    if (e instanceof HfiException h) {
      return h.code().httpStatus() > 0
          ? "Error from server (" + h.code().code() + "): " + h.getMessage()
          : "error: " + h.getMessage();
    }
    if (e instanceof IllegalArgumentException) {
      return "error: " + e.getMessage();
    }
    return "error: " + e;
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
