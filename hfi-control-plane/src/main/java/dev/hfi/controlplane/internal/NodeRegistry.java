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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-plane instances as their long polls report them. An instance that neither polls nor holds a
 * poll for {@code staleAfter} goes stale, and for {@code expireAfter} is removed: timers per
 * instance, re-armed by every poll, fire exactly then (no periodic scan). An instance can also be
 * removed on request (a data plane's goodbye). ACK, NACK, stale and removed transitions are
 * published as events. An instance that polls again after it was removed is simply new again.
 *
 * <p>Alone (memory store) the registry knows the polls of its own replica. With a {@link Shared}
 * backend (etcd store) every replica shows the same instances: a replica writes a registration when
 * an instance's applied version or ACK/NACK changes, and refreshes its last-seen time at most once
 * per heartbeat ({@code staleAfter / 5}) while the instance polls it; everything shown, every event
 * published and every timer armed comes from what the backend reports, so all replicas agree. An
 * instance goes stale when its stored last-seen time is {@code staleAfter} old, and any replica
 * deletes its registration {@code expireAfter} after it.
 */
public final class NodeRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeRegistry.class);
  private final Map<String, Entry> entries = new HashMap<>();
  private final EventHub events;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Duration staleAfter;
  private final Duration expireAfter;
  private final Shared shared;
  private final Duration heartbeat;
  private ScheduledFuture<?> heartbeatTask;

  /** One instance's registration as stored in a {@link Shared} backend. */
  public record Registration(
      String node,
      String instance,
      long applied,
      Long rejected,
      String error,
      Instant lastSeen,
      long modRevision) {
    Registration seenAt(Instant when) {
      return new Registration(node, instance, applied, rejected, error, when, 0);
    }

    boolean sameState(Registration o) {
      return o != null
          && applied == o.applied
          && Objects.equals(rejected, o.rejected)
          && Objects.equals(error, o.error);
    }
  }

  /** Where replicas share registrations (etcd); calls may be asynchronous. */
  public interface Shared extends AutoCloseable {
    /**
     * Reports every registration, then every change, to {@code listener}; the future completes once
     * the first snapshot was delivered.
     */
    CompletableFuture<Void> start(SharedListener listener);

    /** Stores {@code registration}. */
    void put(Registration registration);

    /** Deletes a registration; only when its mod revision is still {@code modRevision} if > 0. */
    void delete(String node, String instance, long modRevision);

    @Override
    void close();
  }

  /** What a {@link Shared} backend reports. */
  public interface SharedListener {
    /** Every registration (at start, and again after a broken watch). */
    void onSnapshot(List<Registration> all);

    void onPut(Registration registration);

    void onDelete(String node, String instance);
  }

  private static final class Entry {
    final String node;
    final String instance;
    long applied;
    Long rejected;
    String error;
    Instant lastSeen;
    boolean stale;
    int polling;
    // With a shared backend: the stored registration (null until the backend reports it), the
    // last one this replica wrote, and when; lastSeen above is then the stored time, and localSeen
    // when this replica last saw a poll.
    Registration seen;
    Registration wrote;
    Instant wroteAt;
    Instant localSeen;
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
    this(events, scheduler, clock, staleAfter, expireAfter, null);
  }

  /** A registry that shares its instances through {@code shared} (null: this replica's only). */
  public NodeRegistry(
      EventHub events,
      ScheduledExecutorService scheduler,
      Clock clock,
      Duration staleAfter,
      Duration expireAfter,
      Shared shared) {
    this.events = events;
    this.scheduler = scheduler;
    this.clock = clock;
    this.staleAfter = staleAfter;
    this.expireAfter = expireAfter;
    this.shared = shared;
    this.heartbeat = staleAfter.dividedBy(5);
  }

  /**
   * Starts following the shared backend, if any, and refreshing this replica's instances in it;
   * waits up to {@code firstList} for the stored instances, so that a restarted replica lists them
   * from its first answer (when the backend is slower, they appear as soon as it answers).
   */
  public void start(Duration firstList) {
    if (shared == null) {
      return;
    }
    CompletableFuture<Void> listed =
        shared.start(
            new SharedListener() {
              @Override
              public void onSnapshot(List<Registration> all) {
                snapshot(all);
              }

              @Override
              public void onPut(Registration r) {
                stored(r);
              }

              @Override
              public void onDelete(String node, String instance) {
                deleted(node, instance);
              }
            });
    try {
      listed.get(firstList.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      LOG.warn(
          "data-plane registrations not listed within {} ms; they appear once the store answers",
          firstList.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long every = Math.max(1, heartbeat.toMillis());
    synchronized (this) {
      heartbeatTask =
          scheduler.scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    }
  }

  /** Stops following the backend; registrations stay in it. */
  @Override
  public synchronized void close() {
    if (heartbeatTask != null) {
      heartbeatTask.cancel(false);
    }
    if (shared != null) {
      shared.close();
    }
  }

  /**
   * A poll began: instance {@code instance} of {@code node} has applied {@code applied} and, when
   * {@code rejected} is not null, rejected that version with {@code error}. Returns the handle to
   * pass to {@link #pollEnded}.
   */
  public synchronized Object pollStarted(
      String node, String instance, long applied, Long rejected, String error) {
    Entry e = entries.computeIfAbsent(key(node, instance), k -> new Entry(node, instance));
    if (shared != null) {
      e.polling++;
      e.localSeen = clock.instant();
      write(e, applied, rejected, error);
      return e;
    }
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
    if (shared != null) {
      e.localSeen = clock.instant(); // stored by the next heartbeat
      return;
    }
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
    if (e == null || !shown(e)) {
      return Optional.empty();
    }
    DataPlaneInstance gone = view(e);
    goodbye(e);
    return Optional.of(gone);
  }

  /** Removes {@code e} here at once and, with a backend, for every replica. */
  private void goodbye(Entry e) {
    if (shared != null) {
      shared.delete(e.node, e.instance, 0);
    }
    removeIfCurrent(e, "deleted");
  }

  /** Removes every instance of {@code node}, as {@link #remove}; returns them, sorted. */
  public synchronized List<DataPlaneInstance> removeNode(String node) {
    List<DataPlaneInstance> gone = new ArrayList<>();
    for (Entry e : new ArrayList<>(entries.values())) {
      if (e.node.equals(node) && shown(e)) {
        gone.add(view(e));
        goodbye(e);
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
    if ("expired".equals(why) && e.polling > 0 && shared == null) {
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
      if (shown(e)) {
        out.add(view(e));
      }
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
    return entries.values().stream().filter(e -> shown(e) && e.stale == stale).count();
  }

  /** Alone, every entry; with a backend, those it reported (all replicas show the same). */
  private boolean shown(Entry e) {
    return shared == null || e.seen != null;
  }

  // ---- with a shared backend ----

  /**
   * Writes the instance's registration when its state changed, or when its stored last-seen time is
   * a heartbeat old; else nothing (a long poll does not write on every poll).
   */
  private void write(Entry e, long applied, Long rejected, String error) {
    Registration base = e.wrote != null ? e.wrote : e.seen;
    Long nextRejected = null;
    String nextError = null;
    if (rejected != null) {
      nextRejected = rejected;
      nextError = error == null ? "" : error;
    } else if (base != null && base.rejected() != null && applied < base.rejected()) {
      nextRejected = base.rejected();
      nextError = base.error();
    }
    Instant now = clock.instant();
    Registration next =
        new Registration(e.node, e.instance, applied, nextRejected, nextError, now, 0);
    boolean changed = e.seen == null || e.stale || !next.sameState(base);
    if (changed || e.wroteAt == null || !now.isBefore(e.wroteAt.plus(heartbeat))) {
      e.wrote = next;
      e.wroteAt = now;
      shared.put(next);
    }
  }

  /**
   * Every heartbeat: refreshes the stored last-seen time of the instances that polled this replica
   * since it was last written (one write per instance per heartbeat at most).
   */
  private synchronized void heartbeat() {
    Instant now = clock.instant();
    for (Entry e : entries.values()) {
      if (e.wrote == null || e.localSeen == null || now.isBefore(e.wroteAt.plus(heartbeat))) {
        continue;
      }
      Registration next = null;
      if (e.polling > 0) {
        next = e.wrote.seenAt(now);
      } else if (e.seen != null
          && e.seen.sameState(e.wrote)
          && e.localSeen.isAfter(e.seen.lastSeen())) {
        next = e.seen.seenAt(e.localSeen);
      }
      if (next != null) {
        e.wrote = next;
        e.wroteAt = now;
        shared.put(next);
      }
    }
  }

  private synchronized void snapshot(List<Registration> all) {
    Map<String, Registration> byKey = new HashMap<>();
    for (Registration r : all) {
      byKey.put(key(r.node(), r.instance()), r);
    }
    for (Entry e : new ArrayList<>(entries.values())) {
      if (e.seen != null && !byKey.containsKey(key(e.node, e.instance))) {
        deleted(e.node, e.instance);
      }
    }
    for (Registration r : all) {
      Entry e = entries.get(key(r.node(), r.instance()));
      if (e == null || e.seen == null || e.seen.modRevision() != r.modRevision()) {
        stored(r);
      }
    }
  }

  private synchronized void stored(Registration r) {
    Entry e =
        entries.computeIfAbsent(
            key(r.node(), r.instance()), k -> new Entry(r.node(), r.instance()));
    Registration before = e.seen;
    boolean fresh = before == null || e.stale;
    e.seen = r;
    e.applied = r.applied();
    e.rejected = r.rejected();
    e.error = r.error();
    e.lastSeen = r.lastSeen();
    e.stale = false;
    if (fresh || before.applied() != r.applied()) {
      events.publish(ControlPlaneEvent.ack(e.node, e.instance, r.applied()));
    }
    if (r.rejected() != null
        && (fresh
            || !r.rejected().equals(before.rejected())
            || !Objects.equals(r.error(), before.error()))) {
      events.publish(
          ControlPlaneEvent.nack(e.node, e.instance, r.rejected(), r.applied(), r.error()));
    }
    cancelTimer(e);
    Instant now = clock.instant();
    e.staleTimer =
        scheduler.schedule(
            () -> storedGoesStale(e, r),
            Math.max(0, Duration.between(now, r.lastSeen().plus(staleAfter)).toMillis()),
            TimeUnit.MILLISECONDS);
    e.expiryTimer =
        scheduler.schedule(
            () -> storedExpires(e, r),
            Math.max(0, Duration.between(now, r.lastSeen().plus(expireAfter)).toMillis()),
            TimeUnit.MILLISECONDS);
  }

  private synchronized void storedGoesStale(Entry e, Registration r) {
    if (e.seen != r || e.stale || entries.get(key(e.node, e.instance)) != e) {
      return;
    }
    e.stale = true;
    events.publish(
        ControlPlaneEvent.stale(e.node, e.instance, e.applied, PolicyWrites.timestamp(e.lastSeen)));
  }

  /** Any replica may delete it; the first wins, the others' deletes find a newer revision. */
  private synchronized void storedExpires(Entry e, Registration r) {
    if (e.seen == r && entries.get(key(e.node, e.instance)) == e) {
      shared.delete(e.node, e.instance, r.modRevision());
    }
  }

  private synchronized void deleted(String node, String instance) {
    Entry e = entries.get(key(node, instance));
    if (e == null || e.seen == null) {
      return; // never shown, or removed here already (this replica's goodbye)
    }
    boolean expired = !clock.instant().isBefore(e.lastSeen.plus(expireAfter));
    cancelTimer(e);
    events.publish(
        ControlPlaneEvent.removed(
            e.node,
            e.instance,
            e.applied,
            PolicyWrites.timestamp(e.lastSeen),
            expired ? "expired" : "deleted"));
    if (e.polling > 0) {
      // Still polling here: hidden until its next poll writes it again.
      e.seen = null;
      e.wrote = null;
      e.stale = false;
    } else {
      entries.remove(key(node, instance));
    }
  }
}
