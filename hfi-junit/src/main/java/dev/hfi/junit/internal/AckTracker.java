package dev.hfi.junit.internal;

import dev.hfi.controlplane.AwaitTimeoutException;
import dev.hfi.controlplane.ControlPlaneEvent;
import dev.hfi.controlplane.DataPlaneInstance;
import dev.hfi.controlplane.HfiClient;
import dev.hfi.controlplane.HfiException;
import dev.hfi.controlplane.RuleSetRejectedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What every data-plane instance has applied, kept current from one {@code /v1/events} stream that
 * stays open for the whole run: waiting for an ACK costs no new stream and no {@code /v1/nodes}
 * call per test (that is what {@link HfiClient#awaitApplied} does, and it is the fallback when this
 * stream breaks). Same rules: every live (non-stale) instance must reach the version; a NACK of
 * that version or a newer one fails at once. Thread-safe.
 */
final class AckTracker implements AutoCloseable {
  private final HfiClient client;
  private final Map<String, State> instances = new TreeMap<>();
  private final List<ControlPlaneEvent> buffered = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final HfiClient.Subscription subscription;
  private boolean haveSnapshot;
  private volatile boolean broken;

  private static final class State {
    long applied;
    boolean stale;
    Long rejected;
    String error;
  }

  private record Waiter(long version, CompletableFuture<Void> done) {}

  AckTracker(HfiClient client, Duration openTimeout) {
    this.client = client;
    CompletableFuture<Void> open = new CompletableFuture<>();
    this.subscription =
        client.subscribeEvents(
            new HfiClient.StreamListener<>() {
              @Override
              public void onOpen() {
                open.complete(null);
              }

              @Override
              public void onEvent(ControlPlaneEvent e) {
                AckTracker.this.onEvent(e);
              }

              @Override
              public void onError(HfiException error) {
                open.completeExceptionally(error);
                breakDown();
              }

              @Override
              public void onClosed() {
                breakDown();
              }
            });
    try {
      open.get(openTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      breakDown();
    } catch (ExecutionException | TimeoutException e) {
      breakDown();
    }
    if (!broken) {
      onSnapshot(client.nodes());
    }
  }

  /**
   * Blocks until every live instance applied {@code version}; see {@link HfiClient#awaitApplied}.
   */
  void await(long version, Duration timeout) {
    if (broken) {
      client.awaitApplied(version, timeout);
      return;
    }
    Waiter w = new Waiter(version, new CompletableFuture<>());
    synchronized (this) {
      waiters.add(w);
      check();
    }
    try {
      w.done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AwaitTimeoutException(timeoutMessage(version, timeout));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof BrokenStream) {
        client.awaitApplied(version, timeout);
        return;
      }
      throw (HfiException) e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AwaitTimeoutException("interrupted while waiting for rule set " + version);
    } finally {
      synchronized (this) {
        waiters.remove(w);
      }
    }
  }

  private synchronized void onSnapshot(HfiClient.Nodes nodes) {
    for (DataPlaneInstance i : nodes.items()) {
      State s = instances.computeIfAbsent(i.id(), k -> new State());
      s.applied = Math.max(s.applied, i.appliedVersion());
      s.stale = i.stale();
      s.rejected = i.rejectedVersion();
      s.error = i.error();
    }
    haveSnapshot = true;
    buffered.forEach(this::apply);
    buffered.clear();
    check();
  }

  private synchronized void onEvent(ControlPlaneEvent e) {
    if (!haveSnapshot) {
      buffered.add(e);
      return;
    }
    apply(e);
    check();
  }

  private void apply(ControlPlaneEvent e) {
    if (e.node() == null || e.instance() == null) {
      return;
    }
    State s = instances.computeIfAbsent(e.node() + "/" + e.instance(), k -> new State());
    switch (e.type()) {
      case "ack" -> {
        s.applied = Math.max(s.applied, e.version());
        s.stale = false;
      }
      case "nack" -> {
        if (e.appliedVersion() != null) {
          s.applied = Math.max(s.applied, e.appliedVersion());
        }
        s.stale = false;
        s.rejected = e.version();
        s.error = e.error();
      }
      case "stale" -> s.stale = true;
      default -> {}
    }
  }

  private void check() {
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      String rejection = rejection(w.version);
      if (rejection != null) {
        w.done.completeExceptionally(new RuleSetRejectedException(rejection));
        it.remove();
      } else if (allApplied(w.version)) {
        w.done.complete(null);
        it.remove();
      }
    }
  }

  private String rejection(long version) {
    for (Map.Entry<String, State> e : instances.entrySet()) {
      State s = e.getValue();
      if (!s.stale && s.rejected != null && s.rejected >= version && s.applied < version) {
        return "data-plane instance "
            + e.getKey()
            + " rejected rule set "
            + s.rejected
            + " (waiting for "
            + version
            + "): "
            + s.error;
      }
    }
    return null;
  }

  private boolean allApplied(long version) {
    for (State s : instances.values()) {
      if (!s.stale && s.applied < version) {
        return false;
      }
    }
    return true;
  }

  private synchronized String timeoutMessage(long version, Duration timeout) {
    List<String> laggards = new ArrayList<>();
    instances.forEach(
        (id, s) -> {
          if (!s.stale && s.applied < version) {
            laggards.add(id + " (applied " + s.applied + ")");
          }
        });
    return "timed out after "
        + timeout.toMillis()
        + " ms waiting for every live data plane to apply rule set "
        + version
        + "; not yet applied by: "
        + String.join(", ", laggards);
  }

  private synchronized void breakDown() {
    broken = true;
    for (Waiter w : waiters) {
      w.done.completeExceptionally(new BrokenStream());
    }
    waiters.clear();
  }

  @Override
  public void close() {
    broken = true;
    subscription.close();
  }

  /** The event stream ended: waiters fall back to {@link HfiClient#awaitApplied}. */
  private static final class BrokenStream extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BrokenStream() {
      super(null, null, false, false);
    }
  }
}
