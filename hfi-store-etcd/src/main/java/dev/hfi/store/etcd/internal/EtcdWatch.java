package dev.hfi.store.etcd.internal;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiException;
import dev.hfi.controlplane.PolicyStore;
import dev.hfi.controlplane.internal.Backoff;
import dev.hfi.controlplane.internal.SerialExecutor;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link PolicyStore#watch} on etcd. It remembers the revision of the last event it delivered;
 * when the stream breaks (etcd restarted, network gone) it opens a new one from the next revision,
 * after a growing pause, so no event is missed or repeated. When etcd has compacted revisions it
 * missed, it asks the store whether any policy changed in between: if none did, it simply goes on
 * from the current revision; else it reports {@link ErrorCode#COMPACTED} and stops, so the listener
 * lists again. Events reach the listener through its own queue, never on jetcd's threads.
 */
public final class EtcdWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdWatch.class);

  private final Watch client;
  private final ByteSequence prefix;
  private final PolicyStore.Listener listener;
  private final SerialExecutor<Runnable> delivery;
  private final ScheduledExecutorService scheduler;
  private final LongUnaryOperator policyRevisionAt;
  private final Runnable reconnect;
  // 100 ms doubling up to 2 s, no jitter: one stream to one etcd, resumed as soon as it can be.
  private final Backoff backoff =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), () -> 0);
  private long last;
  private Watch.Watcher watcher;
  private boolean closed;

  /**
   * A watch of {@code prefix} from after {@code fromRevision}.
   *
   * @param policyRevisionAt the store's policy revision as of an etcd revision (after compaction)
   * @param reconnect makes the client reconnect at once after a broken stream
   */
  public EtcdWatch(
      Watch client,
      ByteSequence prefix,
      long fromRevision,
      PolicyStore.Listener listener,
      Executor delivery,
      ScheduledExecutorService scheduler,
      LongUnaryOperator policyRevisionAt,
      Runnable reconnect) {
    this.client = client;
    this.prefix = prefix;
    this.last = fromRevision;
    this.listener = listener;
    this.delivery = new SerialExecutor<>(delivery, Runnable::run);
    this.scheduler = scheduler;
    this.policyRevisionAt = policyRevisionAt;
    this.reconnect = reconnect;
  }

  /** Opens the etcd watch. */
  public synchronized void start() {
    if (closed) {
      return;
    }
    WatchOption option =
        WatchOption.builder().isPrefix(true).withPrevKV(true).withRevision(last + 1).build();
    watcher =
        client.watch(prefix, option, Watch.listener(this::onResponse, this::onError, () -> {}));
  }

  private synchronized void onResponse(WatchResponse response) {
    if (closed) {
      return;
    }
    backoff.reset();
    for (WatchEvent e : response.getEvents()) {
      long revision = e.getKeyValue().getModRevision();
      if (revision <= last) {
        continue;
      }
      last = revision;
      PolicyStore.Event event = toEvent(e);
      delivery.submit(() -> listener.onEvent(event));
    }
  }

  private PolicyStore.Event toEvent(WatchEvent e) {
    KeyValue kv = e.getKeyValue();
    String name = kv.getKey().substring(prefix.size()).toString(StandardCharsets.UTF_8);
    long revision = kv.getModRevision();
    if (e.getEventType() == WatchEvent.EventType.DELETE) {
      KeyValue prev = e.getPrevKV();
      FaultInjectionPolicy before =
          prev == null || prev.getValue().isEmpty() ? null : EtcdPolicyCodec.decode(prev);
      return new PolicyStore.Event(PolicyStore.Event.Type.DELETE, name, before, revision, false);
    }
    return new PolicyStore.Event(
        PolicyStore.Event.Type.PUT,
        name,
        EtcdPolicyCodec.decode(kv),
        revision,
        kv.getVersion() == 1);
  }

  private synchronized void onError(Throwable error) {
    if (closed) {
      return;
    }
    if (watcher != null) {
      watcher.close();
    }
    CompactedException compacted = compaction(error);
    if (compacted != null) {
      long at = compacted.getCompactedRevision();
      scheduler.execute(() -> afterCompaction(at));
      return;
    }
    reconnect.run();
    long delay = retryLater();
    LOG.debug(
        "etcd watch broke after revision {}, resuming in {} ms: {}",
        last,
        delay,
        error.getMessage());
  }

  private long retryLater() {
    long delay = backoff.nextDelayMillis();
    scheduler.schedule(this::start, delay, TimeUnit.MILLISECONDS);
    return delay;
  }

  private static CompactedException compaction(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof CompactedException c) {
        return c;
      }
    }
    return null;
  }

  /**
   * etcd dropped the revisions up to {@code compactedAt}. The revision key's mod revision as of
   * {@code compactedAt} (still readable) says whether a policy changed in between.
   */
  private void afterCompaction(long compactedAt) {
    long policyRevision;
    try {
      policyRevision = policyRevisionAt.applyAsLong(compactedAt);
    } catch (HfiException e) {
      synchronized (this) {
        if (!closed) {
          retryLater();
        }
      }
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      if (policyRevision <= last) {
        // No policy changed after the last delivered event up to the compaction: nothing is lost.
        last = compactedAt;
        start();
        return;
      }
      closed = true;
      long from = last;
      delivery.submit(
          () ->
              listener.onError(
                  new HfiException(
                      ErrorCode.COMPACTED,
                      "etcd compacted the revisions after "
                          + from
                          + " that this watch missed; list again and watch from the listed"
                          + " revision")));
    }
  }

  /** Stops the watch; nothing more is delivered. */
  @Override
  public synchronized void close() {
    closed = true;
    if (watcher != null) {
      watcher.close();
    }
    delivery.close();
  }
}
