package dev.hfi.controlplane.internal;

import dev.hfi.client.HfiException;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.client.StoreUnavailableException;
import dev.hfi.controlplane.ForwardingPolicyStore;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.controlplane.PolicyStore;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real {@link MemoryPolicyStore} with the two failures of a remote backend that a list-watch loop
 * must survive: lists that throw {@link StoreUnavailableException} while the backend is away, and
 * watches that end with an error (after which, as the {@link PolicyStore.Listener} contract says,
 * no event follows).
 */
final class FlakyStore extends ForwardingPolicyStore {
  private final AtomicInteger failingLists = new AtomicInteger();
  private final AtomicInteger lists = new AtomicInteger();
  private final Set<BreakableWatch> open = ConcurrentHashMap.newKeySet();
  private volatile boolean replayOneMore;
  private final ExecutorService errors =
      Executors.newSingleThreadExecutor(DaemonThreads.named("flaky-store-errors"));

  FlakyStore() {
    super(new MemoryPolicyStore());
  }

  /** The next {@code n} lists throw {@link StoreUnavailableException}. */
  void failNextLists(int n) {
    failingLists.set(n);
  }

  /**
   * Watches start one revision early, so that the first change they deliver is one the list already
   * had (as a watch that resumes at its last revision instead of the next one would).
   */
  void replayFromOneRevisionEarlier() {
    replayOneMore = true;
  }

  /** What the store holds, read past the failures (for the test's own checks). */
  PolicySnapshot truth() {
    return delegate.list();
  }

  /** Lists asked for, failed or not. */
  int lists() {
    return lists.get();
  }

  /** Watches open now. */
  int openWatches() {
    return open.size();
  }

  /** Ends every open watch: no event after this, then {@code onError(error)} on a store thread. */
  void breakWatches(HfiException error) {
    for (BreakableWatch w : open) {
      w.fail(error);
    }
  }

  @Override
  public PolicySnapshot list() {
    lists.incrementAndGet();
    if (failingLists.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new StoreUnavailableException("the store is away (a failure of the test)");
    }
    return delegate.list();
  }

  @Override
  public Watch watch(long fromRevision, Listener listener) {
    BreakableWatch w = new BreakableWatch(listener);
    w.inner = delegate.watch(replayOneMore ? fromRevision - 1 : fromRevision, w);
    open.add(w);
    return w;
  }

  @Override
  public void close() {
    super.close();
    errors.shutdownNow();
  }

  private final class BreakableWatch implements Watch, Listener {
    private final Listener listener;
    private volatile Watch inner;
    private boolean ended;

    BreakableWatch(Listener listener) {
      this.listener = listener;
    }

    @Override
    public synchronized void onEvent(Event event) {
      if (!ended) {
        listener.onEvent(event);
      }
    }

    synchronized void fail(HfiException error) {
      if (!ended) {
        close();
        errors.execute(() -> listener.onError(error));
      }
    }

    @Override
    public synchronized void close() {
      ended = true;
      open.remove(this);
      inner.close();
    }
  }
}
