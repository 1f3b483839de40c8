package dev.hfi.controlplane.internal;

import dev.hfi.client.ControlPlaneEvent;
import dev.hfi.client.DataPlaneInstance;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Data-plane instances as their long polls report them. An instance that neither polls nor holds a
 * poll for {@code staleAfter} goes stale, and for {@code expireAfter} is removed: timers per
 * instance, re-armed by every poll, fire exactly then (no periodic scan). An instance can also be
 * removed on request (a data plane's goodbye). ACK, NACK, stale and removed transitions are
 * published as events. An instance that polls again after it was removed is simply new again.
 */
public final class NodeRegistry {
  private final Map<String, Entry> entries = new HashMap<>();
  private final EventHub events;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Duration staleAfter;
  private final Duration expireAfter;

  private static final class Entry {
    final String node;
    final String instance;
    long applied;
    Long rejected;
    String error;
    Instant lastSeen;
    boolean stale;
    int polling;
    ScheduledFuture<?> staleTimer;
    ScheduledFuture<?> expiryTimer;

    Entry(String node, String instance) {
      this.node = node;
      this.instance = instance;
    }
  }

  /** A registry publishing to {@code events}; stale and expiry timers run on {@code scheduler}. */
  public NodeRegistry(
      EventHub events,
      ScheduledExecutorService scheduler,
      Clock clock,
      Duration staleAfter,
      Duration expireAfter) {
    this.events = events;
    this.scheduler = scheduler;
    this.clock = clock;
    this.staleAfter = staleAfter;
    this.expireAfter = expireAfter;
  }

  /**
   * A poll began: instance {@code instance} of {@code node} has applied {@code applied} and, when
   * {@code rejected} is not null, rejected that version with {@code error}. Returns the handle to
   * pass to {@link #pollEnded}.
   */
  public synchronized Object pollStarted(
      String node, String instance, long applied, Long rejected, String error) {
    Entry e = entries.computeIfAbsent(key(node, instance), k -> new Entry(node, instance));
    boolean fresh = e.lastSeen == null || e.stale;
    boolean ackChanged = fresh || e.applied != applied;
    boolean nackChanged =
        rejected != null
            && (fresh || !rejected.equals(e.rejected) || !Objects.equals(error, e.error));
    e.applied = applied;
    if (rejected != null) {
      e.rejected = rejected;
      e.error = error == null ? "" : error;
    } else if (e.rejected != null && applied >= e.rejected) {
      e.rejected = null;
      e.error = null;
    }
    e.lastSeen = clock.instant();
    e.stale = false;
    e.polling++;
    cancelTimer(e);
    if (ackChanged) {
      events.publish(ControlPlaneEvent.ack(node, instance, applied));
    }
    if (nackChanged) {
      events.publish(ControlPlaneEvent.nack(node, instance, rejected, applied, e.error));
    }
    return e;
  }

  /** The poll that {@link #pollStarted} returned {@code poll} for ended (answered or timed out). */
  public synchronized void pollEnded(Object poll) {
    Entry e = (Entry) poll;
    if (entries.get(key(e.node, e.instance)) != e) {
      return; // removed while its poll was held (and maybe back since, as a new entry)
    }
    e.polling = Math.max(0, e.polling - 1);
    e.lastSeen = clock.instant();
    if (e.polling == 0) {
      cancelTimer(e);
      e.staleTimer =
          scheduler.schedule(() -> markStale(e), staleAfter.toMillis(), TimeUnit.MILLISECONDS);
      e.expiryTimer =
          scheduler.schedule(
              () -> removeIfCurrent(e, "expired"), expireAfter.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Removes instance {@code instance} of {@code node} (a data plane said goodbye), publishing a
   * {@code removed} event; empty when there is no such instance.
   */
  public synchronized Optional<DataPlaneInstance> remove(String node, String instance) {
    Entry e = entries.get(key(node, instance));
    if (e == null) {
      return Optional.empty();
    }
    DataPlaneInstance gone = view(e);
    removeIfCurrent(e, "deleted");
    return Optional.of(gone);
  }

  /** Removes every instance of {@code node}, as {@link #remove}; returns them, sorted. */
  public synchronized List<DataPlaneInstance> removeNode(String node) {
    List<DataPlaneInstance> gone = new ArrayList<>();
    for (Entry e : new ArrayList<>(entries.values())) {
      if (e.node.equals(node)) {
        gone.add(view(e));
        removeIfCurrent(e, "deleted");
      }
    }
    gone.sort(Comparator.comparing(DataPlaneInstance::instance));
    return gone;
  }

  private synchronized void markStale(Entry e) {
    if (e.polling > 0 || e.stale || entries.get(key(e.node, e.instance)) != e) {
      return;
    }
    e.stale = true;
    events.publish(
        ControlPlaneEvent.stale(e.node, e.instance, e.applied, PolicyWrites.timestamp(e.lastSeen)));
  }

  private synchronized void removeIfCurrent(Entry e, String why) {
    if ("expired".equals(why) && e.polling > 0) {
      return;
    }
    if (!entries.remove(key(e.node, e.instance), e)) {
      return;
    }
    cancelTimer(e);
    events.publish(
        ControlPlaneEvent.removed(
            e.node, e.instance, e.applied, PolicyWrites.timestamp(e.lastSeen), why));
  }

  private static String key(String node, String instance) {
    return node + "\u0000" + instance;
  }

  private static void cancelTimer(Entry e) {
    if (e.staleTimer != null) {
      e.staleTimer.cancel(false);
      e.staleTimer = null;
    }
    if (e.expiryTimer != null) {
      e.expiryTimer.cancel(false);
      e.expiryTimer = null;
    }
  }

  /** Every known instance, sorted by node then instance. */
  public synchronized List<DataPlaneInstance> list() {
    List<DataPlaneInstance> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      out.add(view(e));
    }
    out.sort(
        Comparator.comparing(DataPlaneInstance::node).thenComparing(DataPlaneInstance::instance));
    return out;
  }

  private static DataPlaneInstance view(Entry e) {
    return new DataPlaneInstance(
        e.node,
        e.instance,
        e.applied,
        e.rejected == null ? "ACK" : "NACK",
        e.rejected,
        e.error,
        e.stale,
        PolicyWrites.timestamp(e.lastSeen));
  }

  /** Instances counted by state, for metrics. */
  public synchronized long count(boolean stale) {
    return entries.values().stream().filter(e -> e.stale == stale).count();
  }
}
