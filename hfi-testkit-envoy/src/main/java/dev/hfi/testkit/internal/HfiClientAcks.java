package dev.hfi.testkit.internal;

import dev.hfi.client.AckTracker;
import dev.hfi.client.AwaitTimeoutException;
import dev.hfi.client.HfiClient;
import dev.hfi.testkit.FilterAckCheck;
import java.time.Duration;
import java.util.Set;

/**
 * {@link FilterAckCheck} on the control plane's client: every node must have at least {@code
 * instancesPerNode} live filter instances (one per Envoy worker) that applied the current rule-set
 * version ({@link AckTracker#awaitNodes}, event-driven). A live instance of one of the nodes that
 * rejected the current version fails at once with its error, since waiting longer cannot help.
 */
public final class HfiClientAcks implements FilterAckCheck {

  private final HfiClient client;
  private final int instancesPerNode;

  public HfiClientAcks(HfiClient client, int instancesPerNode) {
    this.client = client;
    this.instancesPerNode = instancesPerNode;
  }

  @Override
  public boolean awaitAcked(Set<String> nodes, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (AckTracker acks = AckTracker.open(client, timeout)) {
      acks.awaitNodes(
          nodes, instancesPerNode, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      return true;
    } catch (AwaitTimeoutException e) {
      if (Thread.interrupted()) {
        throw new InterruptedException(e.getMessage());
      }
      return false;
    }
  }
}
