package dev.hfi.cli.internal;

import dev.hfi.client.DeletedPolicy;
import dev.hfi.client.HfiClient;
import dev.hfi.client.PolicyNotFoundException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hfi policy delete NAME... [--ignore-not-found] [--wait [--allow-none]]}. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Delete policies by name.",
      "Every name is tried; a missing one is an error (exit code 1) unless --ignore-not-found."
    })
final class PolicyDeleteCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "NAME", description = "Policy names.")
  List<String> names;

  @Option(names = "--ignore-not-found", description = "A missing policy is not an error.")
  boolean ignoreNotFound;

  @Mixin WaitOptions wait;

  @Override
  public Integer call() {
    HfiCommand root = HfiCommand.of(spec);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int exit = 0;
    long revision = 0;
    try (HfiClient client = root.client()) {
      for (String name : names) {
        try {
          DeletedPolicy d = client.delete(name);
          revision = Math.max(revision, d.revision());
          out.println(Output.RESOURCE + " \"" + name + "\" deleted");
        } catch (PolicyNotFoundException e) {
          if (!ignoreNotFound) {
            err.println(Errors.message(e));
            exit = CliException.FAILURE;
          }
        }
      }
      out.flush();
      err.flush();
      wait.awaitApplied(client, revision, root.timeout());
    }
    return exit;
  }
}
