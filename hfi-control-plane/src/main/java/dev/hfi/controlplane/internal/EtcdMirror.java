package dev.hfi.controlplane.internal;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiException;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.controlplane.PolicyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last state of the policies that the etcd store saw, kept by listing once and then watching
 * (listing again after compaction or before the first successful list). The store answers reads
 * from it while etcd is unreachable, so reads keep serving the last known policies.
 */
public final class EtcdMirror implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdMirror.class);
  private static final long RETRY_MS = 1_000;

  private final Supplier<PolicySnapshot> lister;
  private final BiFunction<Long, PolicyStore.Listener, PolicyStore.Watch> watcher;
  private final ScheduledExecutorService scheduler;
  private final TreeMap<String, FaultInjectionPolicy> policies = new TreeMap<>();
  private final Map<String, Long> deleted = new HashMap<>();
  private long revision;
  private boolean known;
  private PolicyStore.Watch watch;
  private boolean closed;

  /** A mirror that lists with {@code lister} and watches with {@code watcher}. */
  public EtcdMirror(
      Supplier<PolicySnapshot> lister,
      BiFunction<Long, PolicyStore.Listener, PolicyStore.Watch> watcher,
      ScheduledExecutorService scheduler) {
    this.lister = lister;
    this.watcher = watcher;
    this.scheduler = scheduler;
  }

  /** Starts syncing in the background; etcd need not be reachable yet. */
  public void start() {
    scheduler.execute(this::sync);
  }

  private void sync() {
    PolicySnapshot s;
    try {
      s = lister.get();
    } catch (HfiException e) {
      retryLater();
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      policies.clear();
      deleted.clear();
      s.items().forEach(p -> policies.put(p.name(), p));
      revision = s.revision();
      known = true;
      watch =
          watcher.apply(
              s.revision(),
              new PolicyStore.Listener() {
                @Override
                public void onEvent(PolicyStore.Event e) {
                  apply(e);
                }

                @Override
                public void onError(HfiException error) {
                  LOG.info("policy mirror lists again: {}", error.getMessage());
                  retryLater();
                }
              });
    }
  }

  private synchronized void retryLater() {
    if (!closed) {
      scheduler.schedule(this::sync, RETRY_MS, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Takes in one change, from the watch or from this store's own write (so a replica's reads see
   * its own writes at once). Changes are compared per name, so one that arrives late never undoes a
   * newer one.
   */
  public synchronized void apply(PolicyStore.Event e) {
    if (!known) {
      return;
    }
    FaultInjectionPolicy current = policies.get(e.name());
    long seen =
        current != null
            ? Long.parseLong(current.metadata().resourceVersion())
            : deleted.getOrDefault(e.name(), 0L);
    if (e.revision() <= seen) {
      return;
    }
    if (e.type() == PolicyStore.Event.Type.PUT) {
      policies.put(e.name(), e.policy());
      deleted.remove(e.name());
    } else {
      policies.remove(e.name());
      deleted.put(e.name(), e.revision());
    }
    revision = Math.max(revision, e.revision());
  }

  /** The last known policy of that name (inner empty: absent), or empty when nothing is known. */
  public synchronized Optional<Optional<FaultInjectionPolicy>> get(String name) {
    return known ? Optional.of(Optional.ofNullable(policies.get(name))) : Optional.empty();
  }

  /** The last known policies, or empty when nothing is known. */
  public synchronized Optional<PolicySnapshot> snapshot() {
    return known
        ? Optional.of(new PolicySnapshot(revision, List.copyOf(policies.values())))
        : Optional.empty();
  }

  /** Stops following etcd. */
  @Override
  public synchronized void close() {
    closed = true;
    if (watch != null) {
      watch.close();
    }
  }
}
