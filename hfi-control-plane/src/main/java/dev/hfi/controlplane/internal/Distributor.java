package dev.hfi.controlplane.internal;

import dev.hfi.client.ControlPlaneEvent;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiException;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.client.RuleSet;
import dev.hfi.controlplane.PolicyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Keeps the current {@link RuleSet} and pushes every new one to its subscribers.
 *
 * <p>It lists the store, then watches it from that revision ({@link ListWatch}). Store events
 * update a map of compiled rules; one compile task (on {@code compiler}) turns the map into a rule
 * set whose version is the revision of the last event it contains. Bursts of writes coalesce into
 * one rule set, so a subscriber sees strictly increasing versions, each a complete snapshot
 * (java-control-plane's {@code SimpleCache} model). A subscriber or long poll that is behind gets
 * the current set at once; one that is current waits.
 *
 * <p>A long poll's wait is timed here, not by the servlet container: Jetty 9.4 can lose an {@code
 * AsyncContext} timeout (its timer task may run before the task is stored, and then does nothing,
 * so the request is never answered). Whether a waiter gets a rule set or runs out of time is
 * decided once, by {@link Waiter#claim}.
 */
public final class Distributor implements AutoCloseable {
  private final EventHub events;
  private final ScheduledExecutorService compiler;
  private final ScheduledThreadPoolExecutor deadlines;
  private final ListWatch loop;
  private final Map<String, RuleCompiler.Compiled> rules = new HashMap<>();
  private final AtomicBoolean compileScheduled = new AtomicBoolean();
  private final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
  private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
  private final Object publishLock = new Object();
  private long revision;
  private long ruleBytes;
  private long regexProgramSize;
  private volatile RuleSet current;

  /**
   * The rules the distributor holds at {@code revision}: {@code rules} of them, {@code ruleBytes}
   * of JSON and {@code regexProgramSize} regex instructions together, and {@code named}, the
   * compiled rule of the policy asked for (null when absent).
   */
  public record Totals(
      long revision,
      long rules,
      long ruleBytes,
      long regexProgramSize,
      RuleCompiler.Compiled named) {}

  /**
   * A long poll waiting up to {@code wait} for a rule set other than {@code version} and {@code
   * rejected}.
   */
  public static final class Waiter {
    private final long version;
    private final Long rejected;
    private final Duration wait;
    private final Consumer<RuleSet> answer;
    private final Runnable expired;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile ScheduledFuture<?> deadline;

    /**
     * Exactly one of {@code answer} (with the first rule set that differs) and {@code expired}
     * (when {@code wait} runs out first) runs, unless the poll is claimed elsewhere first (client
     * gone).
     */
    public Waiter(
        long version, Long rejected, Duration wait, Consumer<RuleSet> answer, Runnable expired) {
      this.version = version;
      this.rejected = rejected;
      this.wait = wait;
      this.answer = answer;
      this.expired = expired;
    }

    boolean wants(RuleSet rs) {
      return rs.version() != version && (rejected == null || rs.version() != rejected);
    }

    /** Claims the waiter; false when it was already answered or timed out. */
    public boolean claim() {
      return done.compareAndSet(false, true);
    }
  }

  /** A distributor on {@code store}; compiles and answers on {@code compiler}. */
  public Distributor(PolicyStore store, EventHub events, ScheduledExecutorService compiler) {
    this.events = events;
    this.compiler = compiler;
    this.loop = ListWatch.on(store, "distributor", compiler, this::relisted, this::onStoreEvent);
    this.deadlines = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("hfi-long-poll"));
    // Answered polls should not keep their deadline task queued for the rest of their wait.
    deadlines.setRemoveOnCancelPolicy(true);
  }

  /**
   * Lists the store, compiles the first rule set and starts watching; after a broken watch or a
   * failed list, lists again with backoff ({@link ListWatch}).
   *
   * @throws HfiException when the store cannot be listed
   */
  public void start() {
    loop.start();
  }

  private void relisted(PolicySnapshot snapshot) {
    synchronized (this) {
      rules.clear();
      ruleBytes = 0;
      regexProgramSize = 0;
      for (FaultInjectionPolicy p : snapshot.items()) {
        put(RuleCompiler.compile(p));
      }
      revision = snapshot.revision();
      notifyAll();
    }
    compileNow();
  }

  private void onStoreEvent(PolicyStore.Event e) {
    synchronized (this) {
      if (e.type() == PolicyStore.Event.Type.PUT) {
        put(RuleCompiler.compile(e.policy()));
      } else {
        forget(rules.remove(e.name()));
      }
      revision = e.revision();
      notifyAll();
    }
    String action =
        e.type() == PolicyStore.Event.Type.DELETE ? "deleted" : e.created() ? "created" : "updated";
    events.publish(ControlPlaneEvent.policy(action, e.name(), e.revision()));
    if (compileScheduled.compareAndSet(false, true)) {
      compiler.execute(
          () -> {
            compileScheduled.set(false);
            compileNow();
          });
    }
  }

  private void put(RuleCompiler.Compiled c) {
    forget(rules.put(c.name(), c));
    ruleBytes += c.bytes();
    regexProgramSize += c.regexProgramSize();
  }

  private void forget(RuleCompiler.Compiled c) {
    if (c != null) {
      ruleBytes -= c.bytes();
      regexProgramSize -= c.regexProgramSize();
    }
  }

  /**
   * The totals of the rules held once the store's change at {@code revision} has reached the
   * distributor, with the compiled rule of policy {@code name}; waits up to {@code timeout} for
   * that change (a write's own watch event follows it within milliseconds).
   *
   * @return null when the change did not arrive in time
   */
  public synchronized Totals totals(long revision, String name, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (this.revision < revision) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return new Totals(this.revision, rules.size(), ruleBytes, regexProgramSize, rules.get(name));
  }

  private void compileNow() {
    RuleSet rs;
    synchronized (this) {
      RuleSet cur = current;
      if (cur != null && cur.version() == revision) {
        return;
      }
      rs = RuleCompiler.ruleSet(revision, rules.values());
    }
    publish(rs);
  }

  private void publish(RuleSet rs) {
    synchronized (publishLock) {
      current = rs;
      byte[] bytes = eventBytes(rs);
      for (SseStream s : streams) {
        s.send(bytes);
      }
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.wants(rs)) {
          it.remove();
          if (w.claim()) {
            stopDeadline(w);
            w.answer.accept(rs);
          }
        }
      }
    }
    events.publish(ControlPlaneEvent.ruleSet(rs.version(), rs.ruleCount()));
  }

  /** The SSE bytes of a rule set: {@code id: version, event: ruleset, data: json}. */
  public static byte[] eventBytes(RuleSet rs) {
    return SseStream.event(Long.toString(rs.version()), "ruleset", rs.json());
  }

  /** The rule set in force. */
  public RuleSet current() {
    return current;
  }

  /**
   * Adds an SSE subscriber and sends it the current rule set unless {@code lastEventId} says it
   * already has it; then every new one.
   */
  public void subscribe(SseStream stream, Long lastEventId) {
    synchronized (publishLock) {
      // Added before the first send: a send that finds the client gone closes the stream, and
      // its unsubscribe must come after this add, or the closed stream would stay subscribed.
      streams.add(stream);
      RuleSet rs = current;
      if (lastEventId == null || lastEventId != rs.version()) {
        stream.send(eventBytes(rs));
      } else {
        stream.send(SseStream.comment("version " + rs.version() + " is current"));
      }
    }
  }

  /** Removes an SSE subscriber. */
  public void unsubscribe(SseStream stream) {
    streams.remove(stream);
  }

  /**
   * The rule set to answer a long poll with at once, or null after registering {@code waiter},
   * which then gets the next rule set it wants or, when its wait runs out first, expires. The
   * caller must be ready for either to happen before this returns.
   */
  public RuleSet pollOrWait(Waiter waiter) {
    synchronized (publishLock) {
      RuleSet rs = current;
      if (waiter.wants(rs)) {
        return rs;
      }
      waiters.add(waiter);
    }
    try {
      // The task decides through claim() alone, never through this field, so it may run (even
      // at once, for a zero wait) before the field is set.
      waiter.deadline =
          deadlines.schedule(() -> expire(waiter), waiter.wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopped) {
      // Closed while still serving: answer at once instead of holding a poll nothing will end.
      expire(waiter);
      return null;
    }
    if (waiter.done.get()) {
      stopDeadline(waiter);
    }
    return null;
  }

  private void expire(Waiter waiter) {
    if (waiter.claim()) {
      waiters.remove(waiter);
      waiter.expired.run();
    }
  }

  /** Forgets a waiter that was answered, timed out or went away. */
  public void cancel(Waiter waiter) {
    waiters.remove(waiter);
    stopDeadline(waiter);
  }

  private static void stopDeadline(Waiter waiter) {
    ScheduledFuture<?> deadline = waiter.deadline;
    if (deadline != null) {
      deadline.cancel(false);
    }
  }

  /** Sends a heartbeat comment to every SSE subscriber. */
  public void heartbeat(byte[] comment) {
    synchronized (publishLock) {
      streams.forEach(s -> s.send(comment));
    }
  }

  /** Open SSE subscribers. */
  public int subscribers() {
    return streams.size();
  }

  /** Long polls being held. */
  public int waiting() {
    return waiters.size();
  }

  /** Stops watching and ends every stream. */
  @Override
  public void close() {
    loop.close();
    streams.forEach(SseStream::close);
    deadlines.shutdownNow();
  }
}
