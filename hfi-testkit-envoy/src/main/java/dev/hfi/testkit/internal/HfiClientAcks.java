package dev.hfi.testkit.internal;

import dev.hfi.controlplane.ControlPlaneEvent;
import dev.hfi.controlplane.DataPlaneInstance;
import dev.hfi.controlplane.HfiClient;
import dev.hfi.controlplane.HfiException;
import dev.hfi.controlplane.RuleSetRejectedException;
import dev.hfi.testkit.FilterAckCheck;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link FilterAckCheck} on the control plane's client: every node must have at least {@code
 * instancesPerNode} live filter instances (one per Envoy worker) that applied the current rule-set
 * version. Event-driven: it subscribes to {@code /v1/events} and re-reads {@code /v1/nodes} only
 * when something happened. A live instance of one of the nodes that rejected the current version
 * fails at once with its error, since waiting longer cannot help.
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
    Semaphore changed = new Semaphore(0);
    CompletableFuture<Void> open = new CompletableFuture<>();
    AtomicReference<HfiException> streamError = new AtomicReference<>();
    try (HfiClient.Subscription events =
        client.subscribeEvents(
            new HfiClient.StreamListener<>() {
              @Override
              public void onOpen() {
                open.complete(null);
              }

              @Override
              public void onEvent(ControlPlaneEvent event) {
                changed.release();
              }

              @Override
              public void onError(HfiException error) {
                streamError.set(error);
                open.completeExceptionally(error);
                changed.release();
              }

              @Override
              public void onClosed() {
                changed.release();
              }
            })) {
      if (!awaitOpen(open, deadline)) {
        return false;
      }
      // Read after the stream is open: a change between the two reaches us as an event.
      while (!acked(client.nodes(), nodes)) {
        if (!changed.tryAcquire(remaining(deadline), TimeUnit.NANOSECONDS)) {
          return false;
        }
        changed.drainPermits();
        if (streamError.get() != null) {
          throw streamError.get();
        }
      }
      return true;
    }
  }

  private static boolean awaitOpen(CompletableFuture<Void> open, long deadline)
      throws InterruptedException {
    try {
      open.get(remaining(deadline), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw (HfiException) e.getCause();
    }
  }

  private boolean acked(HfiClient.Nodes snapshot, Set<String> nodes) {
    long current = snapshot.version();
    for (String node : nodes) {
      int applied = 0;
      for (DataPlaneInstance i : snapshot.items()) {
        if (!i.node().equals(node) || i.stale()) {
          continue;
        }
        if (i.rejectedVersion() != null && i.rejectedVersion() >= current) {
          throw new RuleSetRejectedException(
              "data-plane instance "
                  + i.id()
                  + " rejected the control plane's rule set "
                  + i.rejectedVersion()
                  + ": "
                  + i.error());
        }
        if (i.appliedVersion() >= current) {
          applied++;
        }
      }
      if (applied < instancesPerNode) {
        return false;
      }
    }
    return true;
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }
}
