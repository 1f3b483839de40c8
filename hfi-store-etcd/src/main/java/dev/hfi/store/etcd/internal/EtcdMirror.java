package dev.hfi.store.etcd.internal;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.controlplane.PolicyStore;
import dev.hfi.controlplane.internal.Backoff;
import dev.hfi.controlplane.internal.ListWatch;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The last state of the policies that the etcd store saw, kept by listing and then watching etcd
 * ({@link ListWatch}: listing again after compaction, and until the first list succeeds). The store
 * answers reads from it while etcd is unreachable, so reads keep serving the last known policies.
 */
public final class EtcdMirror implements AutoCloseable {
  private final ListWatch loop;
  private final TreeMap<String, FaultInjectionPolicy> policies = new TreeMap<>();
  private final Map<String, Long> deleted = new HashMap<>();
  private long revision;
  private boolean known;

  /** A mirror that lists with {@code lister} and watches with {@code watcher}. */
  public EtcdMirror(
      Supplier<PolicySnapshot> lister,
      BiFunction<Long, PolicyStore.Listener, PolicyStore.Watch> watcher,
      ScheduledExecutorService scheduler) {
    this.loop =
        new ListWatch(
            new ListWatch.Source(lister, watcher),
            new ListWatch.Handler("etcd mirror", this::relisted, this::apply),
            scheduler,
            Backoff.standard());
  }

  /** Starts syncing in the background; etcd need not be reachable yet. */
  public void start() {
    loop.startInBackground();
  }

  private synchronized void relisted(PolicySnapshot s) {
    policies.clear();
    deleted.clear();
    s.items().forEach(p -> policies.put(p.name(), p));
    revision = s.revision();
    known = true;
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
  public void close() {
    loop.close();
  }
}
