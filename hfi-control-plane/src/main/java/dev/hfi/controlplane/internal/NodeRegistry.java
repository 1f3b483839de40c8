package dev.hfi.controlplane.internal;

import dev.hfi.controlplane.ControlPlaneEvent;
import dev.hfi.controlplane.DataPlaneInstance;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Data-plane instances as their long polls report them. An instance that neither polls nor holds a
 * poll for {@code staleAfter} goes stale: a timer per instance, re-armed by every poll, fires
 * exactly then (no periodic scan). ACK, NACK and stale transitions are published as events.
 */
public final class NodeRegistry {
  private final Map<String, Entry> entries = new HashMap<>();
  private final EventHub events;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Duration staleAfter;

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

    Entry(String node, String instance) {
      this.node = node;
      this.instance = instance;
    }
  }

  /** A registry publishing to {@code events}; stale timers run on {@code scheduler}. */
  public NodeRegistry(
      EventHub events, ScheduledExecutorService scheduler, Clock clock, Duration staleAfter) {
    this.events = events;
    this.scheduler = scheduler;
    this.clock = clock;
    this.staleAfter = staleAfter;
  }

  /**
   * A poll began: instance {@code instance} of {@code node} has applied {@code applied} and, when
   * {@code rejected} is not null, rejected that version with {@code error}.
   */
  public synchronized void pollStarted(
      String node, String instance, long applied, Long rejected, String error) {
    Entry e = entries.computeIfAbsent(node + "\u0000" + instance, k -> new Entry(node, instance));
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
  }

  /** A poll ended (answered or timed out). */
  public synchronized void pollEnded(String node, String instance) {
    Entry e = entries.get(node + "\u0000" + instance);
    if (e == null) {
      return;
    }
    e.polling = Math.max(0, e.polling - 1);
    e.lastSeen = clock.instant();
    if (e.polling == 0) {
      cancelTimer(e);
      e.staleTimer =
          scheduler.schedule(() -> expire(e), staleAfter.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private synchronized void expire(Entry e) {
    if (e.polling > 0 || e.stale || entries.get(e.node + "\u0000" + e.instance) != e) {
      return;
    }
    e.stale = true;
    events.publish(
        ControlPlaneEvent.stale(e.node, e.instance, e.applied, PolicyWrites.timestamp(e.lastSeen)));
  }

  private static void cancelTimer(Entry e) {
    if (e.staleTimer != null) {
      e.staleTimer.cancel(false);
      e.staleTimer = null;
    }
  }

  /** Every known instance, sorted by node then instance. */
  public synchronized List<DataPlaneInstance> list() {
    List<DataPlaneInstance> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      out.add(
          new DataPlaneInstance(
              e.node,
              e.instance,
              e.applied,
              e.rejected == null ? "ACK" : "NACK",
              e.rejected,
              e.error,
              e.stale,
              PolicyWrites.timestamp(e.lastSeen)));
    }
    out.sort(
        Comparator.comparing(DataPlaneInstance::node).thenComparing(DataPlaneInstance::instance));
    return out;
  }

  /** Instances counted by state, for metrics. */
  public synchronized long count(boolean stale) {
    return entries.values().stream().filter(e -> e.stale == stale).count();
  }
}
