package dev.hfi.cli.internal;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hfi policy}: the group of policy commands. */
@Command(
    name = "policy",
    aliases = "policies",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Create, list, delete and watch FaultInjectionPolicy resources.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      PolicyApplyCommand.class,
      PolicyGetCommand.class,
      PolicyDeleteCommand.class,
      PolicyWatchCommand.class
    })
final class PolicyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw Errors.missingSubcommand(spec);
  }
}
