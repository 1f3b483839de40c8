package dev.hfi.cli.internal;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiClient;
import dev.hfi.client.PolicyNotFoundException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hfi policy get [NAME...] [-o table|yaml|json]}. */
@Command(
    name = "get",
    aliases = "list",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "List policies, or show the named ones.",
      "The table has NAME PRIORITY TARGET MATCH FAULT AGE. In MATCH, * marks a prefix and ~ a"
          + " regex; TARGET <all> means every data plane. One NAME with -o yaml|json prints the"
          + " policy itself, otherwise a FaultInjectionPolicyList (both can be applied again)."
    })
final class PolicyGetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "0..*", paramLabel = "NAME", description = "Policy names (default: all).")
  List<String> names = new ArrayList<>();

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<FaultInjectionPolicy> items = new ArrayList<>();
    int exit = 0;
    try (HfiClient client = HfiCommand.of(spec).client()) {
      if (names.isEmpty()) {
        items.addAll(client.list().items());
      } else {
        for (String name : names) {
          try {
            items.add(client.get(name));
          } catch (PolicyNotFoundException e) {
            err.println(Errors.message(e));
            exit = CliException.FAILURE;
          }
        }
      }
    }
    if (output.format == Output.Format.table) {
      if (items.isEmpty()) {
        if (exit == 0) {
          err.println("No policies found.");
        }
      } else {
        Instant now = Instant.now();
        Output.table(
            out, PolicySummary.HEADER, items.stream().map(p -> PolicySummary.row(p, now)).toList());
      }
    } else if (!(items.isEmpty() && exit != 0)) {
      Output.policies(out, output.format, items, names.size() == 1);
    }
    err.flush();
    return exit;
  }
}
