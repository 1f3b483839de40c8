package dev.hfi.cli.internal;

import dev.hfi.client.HfiClient;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --wait} and {@code --allow-none} of the commands that change policies: after the change,
 * wait until every live data plane has applied it. With no live data plane there is nothing to wait
 * for, and succeeding would claim what nobody checked (a control plane just restarted, one replica
 * of several, a typo in the address): like {@code kubectl wait} with no matching resources, that is
 * an error unless {@code --allow-none}.
 */
final class WaitOptions {
  @Option(
      names = "--wait",
      description =
          "After the change, wait until every live data plane has applied the new rule set"
              + " (bounded by --timeout); an error when no data plane follows the control plane.")
  boolean await;

  @Option(
      names = "--allow-none",
      description = "With --wait: succeed at once when no data plane follows the control plane.")
  boolean allowNone;

  /** Waits, when asked, for rule set {@code revision} (0: nothing changed, nothing to wait for). */
  void awaitApplied(HfiClient client, long revision, Duration timeout) {
    if (!await || revision <= 0) {
      return;
    }
    boolean anyLive = client.nodes().items().stream().anyMatch(i -> !i.stale());
    if (!anyLive) {
      if (allowNone) {
        return;
      }
      throw new CliException(
          CliException.FAILURE,
          "error: the change is made, but no data plane follows "
              + client.baseUri()
              + ", so none can have applied it ('hfi nodes' lists none that is live); check"
              + " --control-plane-addr, start a data plane, or pass --allow-none");
    }
    client.awaitApplied(revision, timeout);
  }
}
