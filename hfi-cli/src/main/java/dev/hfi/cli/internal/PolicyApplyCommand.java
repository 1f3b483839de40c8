package dev.hfi.cli.internal;

import dev.hfi.controlplane.ApplyResult;
import dev.hfi.controlplane.ControlPlaneUnreachableException;
import dev.hfi.controlplane.FaultInjectionPolicy;
import dev.hfi.controlplane.HfiClient;
import dev.hfi.controlplane.HfiException;
import dev.hfi.controlplane.InvalidPolicyException;
import dev.hfi.controlplane.PolicyNotFoundException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hfi policy apply -f FILE|DIR|- [--dry-run] [--wait]}. */
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
          "Validate and report what would happen (created, configured, unchanged) without"
              + " changing anything.")
  boolean dryRun;

  @Option(
      names = "--wait",
      description =
          "After applying, wait until every live data plane has applied the new rule set"
              + " (bounded by --timeout).")
  boolean await;

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
            out.println(line(item.policy().name(), predict(client, item.policy())) + " (dry run)");
          } else {
            ApplyResult r = client.apply(item.policy());
            revision = Math.max(revision, r.revision());
            out.println(line(item.policy().name(), r.outcome()));
          }
        } catch (ControlPlaneUnreachableException e) {
          throw e;
        } catch (HfiException e) {
          err.println(Errors.message(e) + " (" + item.where() + ")");
          invalid |= e instanceof InvalidPolicyException;
          failed |= !(e instanceof InvalidPolicyException);
        }
      }
      out.flush();
      err.flush();
      if (await && !dryRun && !failed && !invalid) {
        client.awaitApplied(revision, root.timeout());
      }
    }
    return failed ? CliException.FAILURE : invalid ? CliException.USAGE : 0;
  }

  private static String line(String name, ApplyResult.Outcome outcome) {
    return Output.RESOURCE + " \"" + name + "\" " + outcome.wireName();
  }

  /**
   * What an apply would do. The control plane has no dry-run mode, so this compares with the stored
   * policy the way the store does: spec and labels equal means unchanged.
   */
  private static ApplyResult.Outcome predict(HfiClient client, FaultInjectionPolicy policy) {
    FaultInjectionPolicy stored;
    try {
      stored = client.get(policy.name());
    } catch (PolicyNotFoundException e) {
      return ApplyResult.Outcome.CREATED;
    }
    boolean sameSpec = Objects.equals(normalize(stored.spec()), normalize(policy.spec()));
    boolean sameLabels =
        Objects.equals(
            emptyToNull(stored.metadata().labels()), emptyToNull(policy.metadata().labels()));
    return sameSpec && sameLabels ? ApplyResult.Outcome.UNCHANGED : ApplyResult.Outcome.CONFIGURED;
  }

  private static FaultInjectionPolicy.Spec normalize(FaultInjectionPolicy.Spec s) {
    FaultInjectionPolicy.Fault f = s == null ? null : s.fault();
    if (f == null || f.percentage() == null) {
      return s;
    }
    BigDecimal p = f.percentage().stripTrailingZeros();
    return new FaultInjectionPolicy.Spec(
        s.priority(),
        s.target(),
        s.match(),
        new FaultInjectionPolicy.Fault(p, f.abort(), f.delay(), f.maxInjections()),
        s.duration());
  }

  private static Map<String, String> emptyToNull(Map<String, String> m) {
    return m == null || m.isEmpty() ? null : m;
  }
}
