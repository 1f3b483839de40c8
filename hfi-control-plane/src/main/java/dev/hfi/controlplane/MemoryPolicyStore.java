package dev.hfi.controlplane;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.DeletedPolicy;
import dev.hfi.client.ErrorCode;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiException;
import dev.hfi.client.PolicyCodec;
import dev.hfi.client.PolicyNotFoundException;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.client.StoreUnavailableException;
import dev.hfi.controlplane.internal.DaemonThreads;
import dev.hfi.controlplane.internal.PolicyWrites;
import dev.hfi.controlplane.internal.SerialExecutor;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A {@link PolicyStore} in memory, for tests and single-process use. It keeps the last {@value
 * #DEFAULT_HISTORY} changes for watch replay.
 *
 * <p>Thread-safe: writes are serialised by one lock; each watch has its own queue drained on a
 * shared pool, so a slow listener never blocks a writer or another listener.
 *
 * <pre>{@code
 * try (PolicyStore store = new MemoryPolicyStore()) {
 *   store.apply(policy);
 * }
 * }</pre>
 */
public final class MemoryPolicyStore implements PolicyStore {
  /** How many past changes a watch can replay by default. */
  public static final int DEFAULT_HISTORY = 10_000;

  private final Object lock = new Object();
  private final TreeMap<String, FaultInjectionPolicy> policies = new TreeMap<>();
  private final ArrayDeque<Event> history = new ArrayDeque<>();
  private final Set<SerialExecutor<Event>> watches = ConcurrentHashMap.newKeySet();
  private final ExecutorService delivery =
      Executors.newCachedThreadPool(DaemonThreads.named("hfi-store-watch"));
  private final Clock clock;
  private final int historyLimit;
  private long revision = 1;
  private boolean closed;

  /** A store on the system clock. */
  public MemoryPolicyStore() {
    this(Clock.systemUTC(), DEFAULT_HISTORY);
  }

  /**
   * A store with the given clock (for {@code creationTimestamp}, {@code status}) and replay history
   * size.
   */
  public MemoryPolicyStore(Clock clock, int historyLimit) {
    if (historyLimit < 1) {
      throw new IllegalArgumentException("historyLimit must be at least 1, got " + historyLimit);
    }
    this.clock = clock;
    this.historyLimit = historyLimit;
  }

  @Override
  public Optional<FaultInjectionPolicy> get(String name) {
    synchronized (lock) {
      checkOpen();
      return Optional.ofNullable(policies.get(name));
    }
  }

  @Override
  public PolicySnapshot list() {
    synchronized (lock) {
      checkOpen();
      return new PolicySnapshot(revision, List.copyOf(policies.values()));
    }
  }

  @Override
  public ApplyResult apply(FaultInjectionPolicy policy) {
    PolicyCodec.validate(policy);
    synchronized (lock) {
      checkOpen();
      FaultInjectionPolicy existing = policies.get(policy.name());
      PolicyWrites.Prepared prepared =
          PolicyWrites.prepare(existing, policy, revision + 1, clock.instant());
      if (prepared.outcome() == ApplyResult.Outcome.UNCHANGED) {
        return new ApplyResult(prepared.outcome(), existing, revision);
      }
      revision++;
      policies.put(policy.name(), prepared.policy());
      publish(
          new Event(
              Event.Type.PUT,
              policy.name(),
              prepared.policy(),
              revision,
              prepared.outcome() == ApplyResult.Outcome.CREATED));
      return new ApplyResult(prepared.outcome(), prepared.policy(), revision);
    }
  }

  @Override
  public DeletedPolicy delete(String name, String expectedResourceVersion) {
    synchronized (lock) {
      checkOpen();
      FaultInjectionPolicy existing = policies.get(name);
      if (existing == null) {
        throw new PolicyNotFoundException("policy \"" + name + "\" not found");
      }
      if (expectedResourceVersion != null) {
        PolicyWrites.checkVersion(existing, expectedResourceVersion);
      }
      revision++;
      policies.remove(name);
      publish(new Event(Event.Type.DELETE, name, existing, revision, false));
      return new DeletedPolicy(existing, revision);
    }
  }

  @Override
  public long revision() {
    synchronized (lock) {
      checkOpen();
      return revision;
    }
  }

  @Override
  public Watch watch(long fromRevision, Listener listener) {
    synchronized (lock) {
      checkOpen();
      long from = Math.max(fromRevision, 1);
      List<Event> replay = new ArrayList<>();
      if (from < revision) {
        if (history.isEmpty() || history.peekFirst().revision() > from + 1) {
          throw new HfiException(
              ErrorCode.COMPACTED,
              "revision "
                  + fromRevision
                  + " is compacted: this store keeps changes after revision "
                  + (history.isEmpty() ? revision : history.peekFirst().revision() - 1)
                  + "; list again and watch from the listed revision");
        }
        for (Event e : history) {
          if (e.revision() > from) {
            replay.add(e);
          }
        }
      }
      SerialExecutor<Event> watch = new SerialExecutor<>(delivery, listener::onEvent);
      replay.forEach(watch::submit);
      watches.add(watch);
      return () -> {
        watches.remove(watch);
        watch.close();
      };
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    watches.forEach(SerialExecutor::close);
    watches.clear();
    delivery.shutdown();
  }

  private void publish(Event event) {
    history.addLast(event);
    if (history.size() > historyLimit) {
      history.removeFirst();
    }
    for (SerialExecutor<Event> w : watches) {
      w.submit(event);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreUnavailableException("the memory store is closed");
    }
  }
}
