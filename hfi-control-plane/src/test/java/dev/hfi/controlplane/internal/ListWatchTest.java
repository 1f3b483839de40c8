package dev.hfi.controlplane.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiException;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.client.StoreUnavailableException;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.controlplane.PolicyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The list -> watch -> re-list loop that the distributor, the expirer and the etcd mirror share,
 * against a real memory store and one whose lists fail and whose watches break.
 */
@Timeout(30)
class ListWatchTest {
  private static final HfiException COMPACTED =
      new HfiException(ErrorCode.COMPACTED, "compacted (a failure of the test)");

  private final FlakyStore store = new FlakyStore();
  private final Consumer consumer = new Consumer();
  private final ImpatientScheduler scheduler = new ImpatientScheduler();
  private ListWatch loop;

  @AfterEach
  void close() {
    if (loop != null) {
      loop.close();
    }
    scheduler.shutdownNow();
    store.close();
  }

  private ListWatch loop(PolicyStore on, Backoff backoff) {
    return loop(on, backoff, scheduler);
  }

  private ListWatch loop(PolicyStore on, Backoff backoff, ScheduledExecutorService retries) {
    loop =
        new ListWatch(
            ListWatch.Source.of(on),
            new ListWatch.Handler("test", consumer::onList, consumer::onEvent),
            retries,
            backoff);
    return loop;
  }

  /** Steps of 100 ms doubling up to 1 s, without jitter, so the pauses can be compared. */
  private static Backoff exact() {
    return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0);
  }

  @Test
  void listsOnTheCallerThenDeliversEachLaterChangeOnceInOrder() throws Exception {
    try (MemoryPolicyStore memory = new MemoryPolicyStore()) {
      memory.apply(TestPolicies.abort("a", 503));
      memory.apply(TestPolicies.abort("b", 503));
      loop(memory, Backoff.standard()).start();
      assertThat(consumer.lists).hasSize(1);
      assertThat(consumer.lists.get(0).revision()).isEqualTo(3);

      memory.apply(TestPolicies.abort("c", 503));
      memory.delete("a");
      long last = memory.apply(TestPolicies.abort("b", 500)).revision();

      consumer.awaitRevision(last);
      assertThat(consumer.delivered).containsExactly(4L, 5L, 6L);
      assertThat(consumer.state).isEqualTo(names(memory.list()));
      assertThat(consumer.gaps).isEmpty();
      assertThat(scheduler.delays).containsExactly();
    }
  }

  @Test
  void aFailedFirstListIsThrownToTheCallerAndNothingIsRetried() throws Exception {
    store.failNextLists(1);

    assertThatThrownBy(() -> loop(store, exact()).start())
        .isInstanceOf(StoreUnavailableException.class);

    scheduler.awaitIdle();
    assertThat(store.lists()).isEqualTo(1);
    assertThat(scheduler.delays).isEmpty();
    assertThat(consumer.lists).isEmpty();
  }

  @Test
  void inTheBackgroundFailedListsAreRetriedAfterPausesThatDoubleUpToTheCap() throws Exception {
    store.failNextLists(7);

    loop(store, exact()).startInBackground();

    consumer.awaitRevision(1);
    assertThat(scheduler.delays).containsExactly(0L, 100L, 200L, 400L, 800L, 1000L, 1000L, 1000L);
    assertThat(store.lists()).isEqualTo(8);
    assertThat(consumer.lists).hasSize(1);
  }

  @Test
  void aListAndWatchThatSucceedResetTheBackoff() throws Exception {
    store.failNextLists(3);
    loop(store, exact()).startInBackground();
    consumer.awaitRevision(1);
    scheduler.awaitIdle();
    scheduler.delays.clear();

    store.failNextLists(2);
    store.breakWatches(COMPACTED);

    consumer.awaitLists(2);
    scheduler.awaitIdle();
    assertThat(scheduler.delays).containsExactly(100L, 200L, 400L);
    assertThat(store.openWatches()).isEqualTo(1);
  }

  @Test
  void noChangeIsLostOrRepeatedAcrossBrokenWatchesAndFailedLists() throws Exception {
    loop(store, new Backoff(Duration.ofMillis(1), Duration.ofMillis(8), Math::random)).start();

    // Watches break and lists fail while changes are still on their way to the loop.
    for (int i = 0; i < 600; i++) {
      String name = "p" + (i % 7);
      if (i % 5 == 4 && store.get(name).isPresent()) {
        store.delete(name);
      } else {
        store.apply(TestPolicies.abort(name, 500 + i % 50));
      }
      if (i % 40 == 39) {
        store.failNextLists(i % 3);
        store.breakWatches(COMPACTED);
      }
    }
    long last = store.revision();

    consumer.awaitRevision(last);
    assertThat(consumer.lists.size()).isGreaterThan(1);
    assertThat(consumer.gaps).isEmpty();
    assertThat(consumer.state).isEqualTo(names(store.truth()));
  }

  @Test
  void aChangeTheListAlreadyHadIsNotDeliveredAgain() throws Exception {
    store.apply(TestPolicies.abort("a", 503));
    store.replayFromOneRevisionEarlier();

    loop(store, exact()).start();
    long last = store.apply(TestPolicies.abort("b", 503)).revision();

    consumer.awaitRevision(last);
    assertThat(consumer.lists).extracting(PolicySnapshot::revision).containsExactly(2L);
    assertThat(consumer.delivered).containsExactly(3L);
  }

  @Test
  void closingCancelsThePendingRetry() throws Exception {
    ScheduledThreadPoolExecutor patient = new ScheduledThreadPoolExecutor(1);
    patient.setRemoveOnCancelPolicy(true);
    try {
      store.failNextLists(1);
      loop(store, new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(10), () -> 0), patient);
      loop.startInBackground();
      // One thread runs tasks in order: once this has run, the first attempt has failed.
      patient.submit(() -> {}).get(10, TimeUnit.SECONDS);
      assertThat(patient.getQueue()).as("the retry, 10 s away").hasSize(1);

      loop.close();

      assertThat(patient.getQueue()).isEmpty();
      assertThat(store.lists()).isEqualTo(1);
    } finally {
      patient.shutdownNow();
    }
  }

  @Test
  void closingEndsTheWatch() {
    loop(store, exact()).start();
    assertThat(store.openWatches()).isEqualTo(1);

    loop.close();

    assertThat(store.openWatches()).isZero();
  }

  private static Map<String, Integer> names(PolicySnapshot snapshot) {
    Map<String, Integer> state = new TreeMap<>();
    snapshot.items().forEach(p -> state.put(p.name(), status(p)));
    return state;
  }

  private static int status(FaultInjectionPolicy p) {
    return p.spec().fault().abort().httpStatus();
  }

  /**
   * Rebuilds the store's state from what the loop delivers, and notes every change that does not
   * follow the one before it by exactly one revision (the memory store counts each change once).
   */
  private static final class Consumer {
    final List<PolicySnapshot> lists = new ArrayList<>();
    final List<Long> delivered = new ArrayList<>();
    final List<String> gaps = new ArrayList<>();
    final Map<String, Integer> state = new TreeMap<>();
    private final BlockingQueue<Long> revisions = new LinkedBlockingQueue<>();
    private long revision;
    private boolean inCall;

    void onList(PolicySnapshot snapshot) {
      enter();
      lists.add(snapshot);
      state.clear();
      state.putAll(names(snapshot));
      revision = snapshot.revision();
      leave(snapshot.revision());
    }

    void onEvent(PolicyStore.Event e) {
      enter();
      delivered.add(e.revision());
      if (e.revision() != revision + 1) {
        gaps.add("after " + revision + " came " + e.revision());
      }
      revision = e.revision();
      if (e.type() == PolicyStore.Event.Type.PUT) {
        state.put(e.name(), status(e.policy()));
      } else {
        state.remove(e.name());
      }
      leave(e.revision());
    }

    private synchronized void enter() {
      if (inCall) {
        gaps.add("two calls at once");
      }
      inCall = true;
    }

    private synchronized void leave(long revision) {
      inCall = false;
      revisions.add(revision);
    }

    /** The revision of the next list or change. */
    long next() throws InterruptedException {
      Long r = revisions.poll(10, TimeUnit.SECONDS);
      assertThat(r).as("a list or change within 10 s").isNotNull();
      return r;
    }

    void awaitRevision(long revision) throws InterruptedException {
      while (next() != revision) {
        // Earlier lists and changes.
      }
    }

    void awaitLists(int n) throws InterruptedException {
      while (lists.size() < n) {
        next();
      }
    }
  }

  /**
   * Runs every scheduled task at once and notes the pause it asked for: the loop's backoff, without
   * waiting it out.
   */
  private static final class ImpatientScheduler extends ScheduledThreadPoolExecutor {
    final List<Long> delays = new CopyOnWriteArrayList<>();

    ImpatientScheduler() {
      super(1, DaemonThreads.named("impatient"));
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
      delays.add(unit.toMillis(delay));
      return super.schedule(task, 0, unit);
    }

    /** Returns once everything already due has run (one thread runs the tasks in order). */
    void awaitIdle() throws Exception {
      super.schedule(() -> {}, 0, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS);
    }
  }
}
