package dev.hfi.controlplane.internal;

import dev.hfi.controlplane.AwaitTimeoutException;
import dev.hfi.controlplane.ControlPlaneEvent;
import dev.hfi.controlplane.DataPlaneInstance;
import dev.hfi.controlplane.HfiClient;
import dev.hfi.controlplane.HfiException;
import dev.hfi.controlplane.RuleSetRejectedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link HfiClient#awaitApplied}: subscribe to {@code /v1/events}, read {@code /v1/nodes} once the
 * stream is open, then fold every later event into that snapshot until each live instance has ACKed
 * the version (or one NACKs it).
 */
public final class AwaitApplied {
  private final long version;
  private final Map<String, State> instances = new TreeMap<>();
  private final List<ControlPlaneEvent> buffered = new ArrayList<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private boolean haveSnapshot;

  private static final class State {
    long applied;
    boolean stale;
  }

  private AwaitApplied(long version) {
    this.version = version;
  }

  /** Blocks until done; see {@link HfiClient#awaitApplied}. */
  public static void await(HfiClient client, long version, Duration timeout) {
    AwaitApplied w = new AwaitApplied(version);
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<Void> open = new CompletableFuture<>();
    try (HfiClient.Subscription sub =
        client.subscribeEvents(
            new HfiClient.StreamListener<>() {
              @Override
              public void onOpen() {
                open.complete(null);
              }

              @Override
              public void onEvent(ControlPlaneEvent e) {
                w.onEvent(e);
              }

              @Override
              public void onError(HfiException error) {
                open.completeExceptionally(error);
                w.done.completeExceptionally(error);
              }

              @Override
              public void onClosed() {
                w.done.completeExceptionally(
                    new HfiException(
                        dev.hfi.controlplane.ErrorCode.UNREACHABLE,
                        "the control plane closed the event stream at " + client.baseUri()));
              }
            })) {
      get(open, deadline, w, timeout);
      w.onSnapshot(client.nodes());
      get(w.done, deadline, w, timeout);
    }
  }

  private static void get(
      CompletableFuture<Void> f, long deadline, AwaitApplied w, Duration timeout) {
    try {
      f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AwaitTimeoutException(w.timeoutMessage(timeout));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof HfiException h) {
        throw h;
      }
      throw new HfiException(
          dev.hfi.controlplane.ErrorCode.INTERNAL, e.getCause().toString(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AwaitTimeoutException("interrupted while waiting for rule set " + w.version);
    }
  }

  private synchronized void onSnapshot(HfiClient.Nodes nodes) {
    for (DataPlaneInstance i : nodes.items()) {
      State s = instances.computeIfAbsent(i.id(), k -> new State());
      s.applied = i.appliedVersion();
      s.stale = i.stale();
      if (!i.stale() && i.rejectedVersion() != null && i.rejectedVersion() >= version) {
        reject(i.id(), i.rejectedVersion(), i.error());
      }
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
    String id = e.node() + "/" + e.instance();
    switch (e.type()) {
      case "ack" -> {
        State s = instances.computeIfAbsent(id, k -> new State());
        s.applied = e.version();
        s.stale = false;
      }
      case "nack" -> {
        State s = instances.computeIfAbsent(id, k -> new State());
        s.applied = e.appliedVersion() == null ? s.applied : e.appliedVersion();
        s.stale = false;
        if (e.version() != null && e.version() >= version) {
          reject(id, e.version(), e.error());
        }
      }
      case "stale" -> instances.computeIfAbsent(id, k -> new State()).stale = true;
      default -> {}
    }
  }

  private void reject(String id, long rejected, String error) {
    done.completeExceptionally(
        new RuleSetRejectedException(
            "data-plane instance "
                + id
                + " rejected rule set "
                + rejected
                + " (waiting for "
                + version
                + "): "
                + error));
  }

  private void check() {
    for (State s : instances.values()) {
      if (!s.stale && s.applied < version) {
        return;
      }
    }
    done.complete(null);
  }

  private synchronized String timeoutMessage(Duration timeout) {
    List<String> laggards = new ArrayList<>();
    instances.forEach(
        (id, s) -> {
          if (!s.stale && s.applied < version) {
            laggards.add(id + " (applied " + s.applied + ")");
          }
        });
    return "timed out after "
        + Durations.format(timeout)
        + " waiting for every live data plane to apply rule set "
        + version
        + (haveSnapshot
            ? "; not yet applied by: " + String.join(", ", laggards)
            : "; the event stream did not open");
  }
}
