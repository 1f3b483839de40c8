package dev.hfi.controlplane.internal;

import dev.hfi.client.ConflictException;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiException;
import dev.hfi.client.PolicyNotFoundException;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.controlplane.PolicyStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes policies whose {@code status.expiresAt} has passed. It follows the store ({@link
 * ListWatch}), keeps the expiry of each policy and arms one timer for the earliest (no periodic
 * scan). A delete carries the resourceVersion it saw, so a policy re-applied at the last moment
 * survives. Separate from the server so that only one replica (the elected leader) runs it.
 */
public final class PolicyExpirer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyExpirer.class);

  private static final long RETRY_MS = 1_000;

  private record Expiry(Instant at, String resourceVersion) {}

  private final PolicyStore store;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Map<String, Expiry> expiries = new HashMap<>();
  private final ListWatch loop;
  private ScheduledFuture<?> timer;
  private boolean closed;

  /** An expirer for {@code store}; timers run on {@code scheduler}. */
  public PolicyExpirer(PolicyStore store, ScheduledExecutorService scheduler, Clock clock) {
    this.store = store;
    this.scheduler = scheduler;
    this.clock = clock;
    this.loop = ListWatch.on(store, "expirer", scheduler, this::relisted, this::onStoreEvent);
  }

  /**
   * Lists the store, arms the timer and follows changes ({@link ListWatch}).
   *
   * @throws HfiException when the store cannot be listed
   */
  public void start() {
    loop.start();
  }

  private synchronized void relisted(PolicySnapshot snapshot) {
    expiries.clear();
    snapshot.items().forEach(this::track);
    rearm();
  }

  private synchronized void onStoreEvent(PolicyStore.Event e) {
    if (e.type() == PolicyStore.Event.Type.DELETE) {
      expiries.remove(e.name());
    } else {
      track(e.policy());
    }
    rearm();
  }

  private void track(FaultInjectionPolicy p) {
    if (p.status() != null && p.status().expiresAt() != null) {
      expiries.put(
          p.name(),
          new Expiry(
              PolicyWrites.parseTimestamp(p.status().expiresAt()), p.metadata().resourceVersion()));
    } else {
      expiries.remove(p.name());
    }
  }

  private void rearm() {
    rearm(0);
  }

  private void rearm(long minDelayMs) {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    if (closed || expiries.isEmpty()) {
      return;
    }
    Instant next = expiries.values().stream().map(Expiry::at).min(Instant::compareTo).get();
    long delay = Math.max(minDelayMs, next.toEpochMilli() - clock.millis());
    timer = scheduler.schedule(this::expireDue, delay, TimeUnit.MILLISECONDS);
  }

  private void expireDue() {
    List<Map.Entry<String, Expiry>> due = new ArrayList<>();
    synchronized (this) {
      Instant now = clock.instant();
      for (Map.Entry<String, Expiry> e : expiries.entrySet()) {
        if (!e.getValue().at().isAfter(now)) {
          due.add(Map.entry(e.getKey(), e.getValue()));
        }
      }
    }
    boolean failed = false;
    for (Map.Entry<String, Expiry> e : due) {
      try {
        store.delete(e.getKey(), e.getValue().resourceVersion());
        LOG.info("policy {} expired and was deleted", e.getKey());
      } catch (PolicyNotFoundException | ConflictException gone) {
        // DeletedPolicy or re-applied meanwhile: the watch brings its new state.
      } catch (HfiException ex) {
        LOG.warn("could not delete expired policy {}: {}", e.getKey(), ex.getMessage());
        failed = true;
        continue;
      }
      synchronized (this) {
        expiries.remove(e.getKey(), e.getValue());
      }
    }
    synchronized (this) {
      rearm(failed ? RETRY_MS : 0);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
    }
    loop.close();
  }
}
