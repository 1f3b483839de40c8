package dev.hfi.controlplane.internal;

import dev.hfi.client.HfiException;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.controlplane.PolicyStore;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a consumer in step with a policy store, the way client-go's Reflector does: list, watch
 * from the listed revision, and when the watch ends (the backend went away, or compacted what the
 * watch missed) or a list fails, list again after a {@link Backoff} (100 ms doubling up to 10 s
 * with jitter by default, back to 100 ms once a list and its watch succeed). Retries are scheduled
 * on the given scheduler; nothing sleeps or polls.
 *
 * <p>What the consumer sees: {@code onList} with a snapshot, then {@code onEvent} with each change
 * after the snapshot's revision, in revision order, each once; after a re-list, a new snapshot
 * replaces everything before it. Whatever a broken watch still delivers after its failure is
 * dropped, and so is a change at or below the revision last delivered. Calls never overlap: they
 * run on the caller of {@link #start()}, on the scheduler and on the store's watch threads, one at
 * a time under a lock of this loop that {@link #close()} never takes, so a consumer may close the
 * loop while holding its own lock. After {@link #close()}, a call already on its way may still
 * arrive; none follows it.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * ListWatch loop = ListWatch.on(store, "expirer", scheduler, this::replaceAll, this::apply);
 * loop.start();   // the first list on this thread; then in the background
 * ...
 * loop.close();
 * }</pre>
 */
public final class ListWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ListWatch.class);

  private final Source source;
  private final Handler handler;
  private final ScheduledExecutorService scheduler;
  private final Object delivery = new Object();

  // Guarded by delivery.
  private long revision;

  // Guarded by this. Every list and every watch failure starts a new generation; only the watch
  // of the current generation is heard.
  private final Backoff backoff;
  private long generation;
  private PolicyStore.Watch watch;
  private ScheduledFuture<?> retry;
  private boolean closed;

  /** Where a loop lists and watches: a store, or the etcd store's view of etcd itself. */
  public record Source(
      Supplier<PolicySnapshot> list,
      BiFunction<Long, PolicyStore.Listener, PolicyStore.Watch> watch) {
    /** Lists and watches {@code store}. */
    public static Source of(PolicyStore store) {
      return new Source(store::list, store::watch);
    }
  }

  /**
   * What a loop feeds: {@code onList} takes a snapshot that replaces everything known, {@code
   * onEvent} each change after it; {@code name} says which in the log.
   */
  public record Handler(
      String name, Consumer<PolicySnapshot> onList, Consumer<PolicyStore.Event> onEvent) {}

  /**
   * A loop from {@code source} to {@code handler} that retries on {@code scheduler} after pauses
   * from {@code backoff}.
   */
  public ListWatch(
      Source source, Handler handler, ScheduledExecutorService scheduler, Backoff backoff) {
    this.source = source;
    this.handler = handler;
    this.scheduler = scheduler;
    this.backoff = backoff;
  }

  /** A loop on {@code store} with the {@linkplain Backoff#standard() standard} backoff. */
  public static ListWatch on(
      PolicyStore store,
      String name,
      ScheduledExecutorService scheduler,
      Consumer<PolicySnapshot> onList,
      Consumer<PolicyStore.Event> onEvent) {
    return new ListWatch(
        Source.of(store), new Handler(name, onList, onEvent), scheduler, Backoff.standard());
  }

  /**
   * Lists and starts watching on this thread, then follows in the background.
   *
   * @throws HfiException what the first list or watch threw; the loop then does nothing more
   */
  public void start() {
    listAndWatch();
  }

  /** Lists and watches in the background, trying until it succeeds or the loop is closed. */
  public void startInBackground() {
    schedule(0);
  }

  private void attempt() {
    try {
      listAndWatch();
    } catch (RuntimeException e) {
      long delay = retryLater();
      if (delay >= 0) {
        LOG.warn(
            "{}: cannot list and watch the policies, trying again in {} ms: {}",
            handler.name(),
            delay,
            e.toString());
      }
    }
  }

  private void listAndWatch() {
    PolicySnapshot snapshot = source.list().get();
    long listed;
    synchronized (delivery) {
      synchronized (this) {
        if (closed) {
          return;
        }
        listed = ++generation;
      }
      revision = snapshot.revision();
      handler.onList().accept(snapshot);
    }
    PolicyStore.Watch opened = source.watch().apply(snapshot.revision(), new Listener(listed));
    synchronized (this) {
      if (!closed && listed == generation) {
        watch = opened;
        backoff.reset();
        return;
      }
    }
    // Closed meanwhile, or the watch failed at once and its retry is already scheduled.
    opened.close();
  }

  private void deliver(long from, PolicyStore.Event event) {
    synchronized (delivery) {
      synchronized (this) {
        if (closed || from != generation) {
          return;
        }
      }
      if (event.revision() <= revision) {
        return;
      }
      revision = event.revision();
      handler.onEvent().accept(event);
    }
  }

  private void watchFailed(long from, HfiException error) {
    PolicyStore.Watch failed;
    long delay;
    synchronized (this) {
      if (closed || from != generation) {
        return;
      }
      generation++;
      failed = watch;
      watch = null;
      delay = retryLater();
    }
    if (failed != null) {
      failed.close();
    }
    if (delay >= 0) {
      LOG.info(
          "{}: watch ended, listing again in {} ms: {}", handler.name(), delay, error.getMessage());
    }
  }

  /** Schedules the next attempt after the next pause; returns it, or -1 when closed. */
  private synchronized long retryLater() {
    if (closed) {
      return -1;
    }
    long delay = backoff.nextDelayMillis();
    return schedule(delay) ? delay : -1;
  }

  private synchronized boolean schedule(long delayMs) {
    if (closed) {
      return false;
    }
    try {
      retry = scheduler.schedule(this::attempt, delayMs, TimeUnit.MILLISECONDS);
      return true;
    } catch (RejectedExecutionException shutDown) {
      // The owner shut its scheduler down before closing this loop: nothing is left to feed.
      closed = true;
      return false;
    }
  }

  /**
   * Stops watching and cancels a pending retry; after a call already on its way, the consumer hears
   * nothing more.
   */
  @Override
  public void close() {
    PolicyStore.Watch open;
    synchronized (this) {
      closed = true;
      open = watch;
      watch = null;
      if (retry != null) {
        retry.cancel(false);
      }
    }
    if (open != null) {
      open.close();
    }
  }

  private final class Listener implements PolicyStore.Listener {
    private final long generation;

    Listener(long generation) {
      this.generation = generation;
    }

    @Override
    public void onEvent(PolicyStore.Event event) {
      deliver(generation, event);
    }

    @Override
    public void onError(HfiException error) {
      watchFailed(generation, error);
    }
  }
}
