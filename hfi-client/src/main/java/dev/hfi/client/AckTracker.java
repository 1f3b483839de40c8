package dev.hfi.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * What every data-plane instance has applied, kept current from one {@code /v1/events} stream:
 * opened, then a {@code /v1/nodes} snapshot, then every ACK, NACK, stale and removed event folded
 * in (a removed instance is no longer waited for). {@link #await} blocks until every live
 * (non-stale) instance has applied a rule set {@code >=} a version, and fails at once when a live
 * instance that has not reached it rejected that version or a newer one. Event-driven: no polling,
 * and a tracker kept open costs no new stream per wait (the JUnit extension keeps one for a whole
 * test run; {@link HfiClient#awaitApplied} opens one per call).
 *
 * <p>Thread-safe. Once the stream breaks, {@link #isOpen()} is false and waits fail with an {@link
 * HfiException}; open a new tracker to go on.
 *
 * <pre>{@code
 * try (AckTracker acks = AckTracker.open(client, Duration.ofSeconds(5))) {
 *   acks.await(client.apply(policy).revision(), Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class AckTracker implements AutoCloseable {
  private final HfiClient client;
  private final Map<String, State> instances = new TreeMap<>();
  private final List<ControlPlaneEvent> buffered = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final HfiClient.Subscription subscription;
  private boolean haveSnapshot;
  private long current;
  private volatile boolean open = true;

  private static final class State {
    String node;
    long applied;
    boolean stale;
    Long rejected;
    String error;
  }

  /** What a waiter waits for, evaluated under the tracker's lock on every change. */
  private interface Condition {
    /** Why waiting longer cannot help (a NACK), or null. */
    String rejection();

    boolean holds();

    /** Who is still missing, for the timeout message. */
    String laggards();
  }

  private record Waiter(Condition condition, CompletableFuture<Void> done) {}

  private AckTracker(HfiClient client, Duration timeout) {
    this.client = client;
    CompletableFuture<Void> opened = new CompletableFuture<>();
    this.subscription =
        client.subscribeEvents(
            new HfiClient.StreamListener<>() {
              @Override
              public void onOpen() {
                opened.complete(null);
              }

              @Override
              public void onEvent(ControlPlaneEvent e) {
                AckTracker.this.onEvent(e);
              }

              @Override
              public void onError(HfiException error) {
                opened.completeExceptionally(error);
                breakDown(error);
              }

              @Override
              public void onClosed() {
                breakDown(
                    new HfiException(
                        ErrorCode.UNREACHABLE,
                        "the control plane closed the event stream at " + client.baseUri()));
              }
            });
    try {
      get(opened, timeout, "the event stream of " + client.baseUri() + " to open", () -> "");
      // Read after the stream is open: a change between the two reaches us as an event.
      onSnapshot(client.nodes());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Subscribes to {@code client}'s events and reads its nodes; fails with an {@link
   * AwaitTimeoutException} when the stream does not open within {@code timeout}, or with the
   * client's exception when the control plane cannot be reached.
   */
  public static AckTracker open(HfiClient client, Duration timeout) {
    return new AckTracker(client, timeout);
  }

  /** Whether the event stream is still open (waits can succeed). */
  public boolean isOpen() {
    return open;
  }

  /**
   * Blocks until every live instance applied a rule set {@code >= version}. Throws {@link
   * RuleSetRejectedException} naming the instance that rejected it, {@link AwaitTimeoutException}
   * naming those that lag, or {@link HfiException} when the event stream broke.
   */
  public void await(long version, Duration timeout) {
    await(
        new Condition() {
          @Override
          public String rejection() {
            return AckTracker.this.rejection(null, version);
          }

          @Override
          public boolean holds() {
            return instances.values().stream().allMatch(s -> s.stale || s.applied >= version);
          }

          @Override
          public String laggards() {
            return AckTracker.this.laggards(null, version);
          }
        },
        "every live data plane to apply rule set " + version,
        timeout);
  }

  /**
   * Blocks until each of {@code nodes} has at least {@code instancesPerNode} live instances (one
   * per Envoy worker) that applied the control plane's current rule set. Throws {@link
   * RuleSetRejectedException} when a live instance of one of them rejected the current version,
   * {@link AwaitTimeoutException} naming the nodes short of instances, or {@link HfiException} when
   * the event stream broke.
   */
  public void awaitNodes(Set<String> nodes, int instancesPerNode, Duration timeout) {
    await(
        new Condition() {
          @Override
          public String rejection() {
            for (String node : nodes) {
              String r = AckTracker.this.rejection(node, current);
              if (r != null) {
                return r;
              }
            }
            return null;
          }

          @Override
          public boolean holds() {
            return nodes.stream().allMatch(n -> applied(n, current) >= instancesPerNode);
          }

          @Override
          public String laggards() {
            List<String> missing = new ArrayList<>();
            for (String n : nodes) {
              long have = applied(n, current);
              if (have < instancesPerNode) {
                missing.add(n + " (" + have + " of " + instancesPerNode + " instances)");
              }
            }
            return "; short of instances: " + String.join(", ", missing);
          }
        },
        nodes.size() + " node(s) to apply the current rule set",
        timeout);
  }

  private void await(Condition condition, String what, Duration timeout) {
    Waiter w = new Waiter(condition, new CompletableFuture<>());
    synchronized (this) {
      if (!open) {
        throw new HfiException(
            ErrorCode.UNREACHABLE, "the event stream to " + client.baseUri() + " is closed");
      }
      waiters.add(w);
      check();
    }
    try {
      get(w.done, timeout, what, () -> laggardsOf(condition));
    } finally {
      synchronized (this) {
        waiters.remove(w);
      }
    }
  }

  private synchronized String laggardsOf(Condition condition) {
    return condition.laggards();
  }

  private long applied(String node, long version) {
    return instances.values().stream()
        .filter(s -> !s.stale && node.equals(s.node) && s.applied >= version)
        .count();
  }

  private static void get(
      CompletableFuture<Void> f, Duration timeout, String what, Supplier<String> detail) {
    try {
      f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AwaitTimeoutException(
          "timed out after " + timeout.toMillis() + " ms waiting for " + what + detail.get());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof HfiException h) {
        throw h;
      }
      throw new HfiException(ErrorCode.INTERNAL, e.getCause().toString(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AwaitTimeoutException("interrupted while waiting for " + what);
    }
  }

  private synchronized void onSnapshot(HfiClient.Nodes nodes) {
    current = Math.max(current, nodes.version());
    for (DataPlaneInstance i : nodes.items()) {
      State s = instances.computeIfAbsent(i.id(), k -> new State());
      s.node = i.node();
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
    if ("ruleset".equals(e.type()) && e.version() != null) {
      current = Math.max(current, e.version());
      return;
    }
    if (e.node() == null || e.instance() == null) {
      return;
    }
    if ("removed".equals(e.type())) {
      instances.remove(e.node() + "/" + e.instance());
      return;
    }
    State s = instances.computeIfAbsent(e.node() + "/" + e.instance(), k -> new State());
    s.node = e.node();
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
    if (!haveSnapshot) {
      return;
    }
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      String rejection = w.condition.rejection();
      if (rejection != null) {
        w.done.completeExceptionally(new RuleSetRejectedException(rejection));
        it.remove();
      } else if (w.condition.holds()) {
        w.done.complete(null);
        it.remove();
      }
    }
  }

  /** A live instance (of {@code node}, or of any node when null) that rejected {@code version}. */
  private String rejection(String node, long version) {
    for (Map.Entry<String, State> e : instances.entrySet()) {
      State s = e.getValue();
      if (!s.stale
          && (node == null || node.equals(s.node))
          && s.rejected != null
          && s.rejected >= version
          && s.applied < version) {
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

  private String laggards(String node, long version) {
    List<String> laggards = new ArrayList<>();
    instances.forEach(
        (id, s) -> {
          if (!s.stale && (node == null || node.equals(s.node)) && s.applied < version) {
            laggards.add(id + " (applied " + s.applied + ")");
          }
        });
    return "; not yet applied by: " + String.join(", ", laggards);
  }

  private synchronized void breakDown(HfiException cause) {
    open = false;
    for (Waiter w : waiters) {
      w.done.completeExceptionally(cause);
    }
    waiters.clear();
  }

  /** Closes the event stream. */
  @Override
  public void close() {
    synchronized (this) {
      open = false;
    }
    subscription.close();
  }
}
