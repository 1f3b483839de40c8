package dev.hfi.cli.internal;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.ControlPlaneUnreachableException;
import dev.hfi.client.HfiClient;
import dev.hfi.client.HfiException;
import dev.hfi.client.InvalidPolicyException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hfi policy apply -f FILE|DIR|- [--dry-run] [--wait [--allow-none]]}. */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Create or update policies from YAML or JSON, like kubectl apply.",
      "A file may hold several documents (YAML separated by ---). Every document is read and"
          + " validated before anything is applied; then each policy is reported as created,"
          + " configured or unchanged."
    })
final class PolicyApplyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE|DIR|-",
      description =
          "A policy file, a directory of .yaml/.yml/.json files, or - for stdin. Repeatable.")
  List<String> files;

  @Option(
      names = "--dry-run",
      description =
          "Validate on the server and report what would happen (created, configured,"
              + " unchanged) without changing anything.")
  boolean dryRun;

  @Mixin WaitOptions wait;

  @Override
  public Integer call() {
    HfiCommand root = HfiCommand.of(spec);
    List<PolicyDocuments.Item> items = PolicyDocuments.read(files, root.stdin());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean invalid = false;
    boolean failed = false;
    long revision = 0;
    try (HfiClient client = root.client()) {
      for (PolicyDocuments.Item item : items) {
        try {
          if (dryRun) {
            out.println(
                line(item.policy().name(), client.dryRun(item.policy()).outcome()) + " (dry run)");
          } else {
            ApplyResult r = client.apply(item.policy());
            revision = Math.max(revision, r.revision());
            out.println(line(item.policy().name(), r.outcome()));
          }
        } catch (ControlPlaneUnreachableException e) {
          throw e;
        } catch (HfiException e) {
          for (String line : Errors.lines(e)) {
            err.println(line + " (" + item.where() + ")");
          }
          invalid |= e instanceof InvalidPolicyException;
          failed |= !(e instanceof InvalidPolicyException);
        }
      }
      out.flush();
      err.flush();
      if (!dryRun && !failed && !invalid) {
        wait.awaitApplied(client, revision, root.timeout());
      }
    }
    return failed ? CliException.FAILURE : invalid ? CliException.USAGE : 0;
  }

  private static String line(String name, ApplyResult.Outcome outcome) {
    return Output.RESOURCE + " \"" + name + "\" " + outcome.wireName();
  }
}
