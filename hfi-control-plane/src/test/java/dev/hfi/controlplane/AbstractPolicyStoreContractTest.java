package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.ApplyResult.Outcome;
import dev.hfi.client.ConflictException;
import dev.hfi.client.DeletedPolicy;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.FaultInjectionPolicy.Metadata;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyNotFoundException;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.PolicyStore.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link PolicyStore} contract. Every implementation gets a subclass that only says how to make
 * a fresh, empty store.
 */
@Timeout(30)
public abstract class AbstractPolicyStoreContractTest {
  protected PolicyStore store;

  /** A new, empty store. */
  protected abstract PolicyStore newStore();

  @BeforeEach
  void open() {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void emptyStoreIsAtRevisionOneWithNoPolicies() {
    assertThat(store.revision()).isEqualTo(1);
    assertThat(store.list().items()).isEmpty();
    assertThat(store.list().revision()).isEqualTo(1);
    assertThat(store.get("nope")).isEmpty();
  }

  @Test
  void createSetsResourceVersionToTheNewRevision() {
    long before = store.revision();
    ApplyResult r = store.apply(TestPolicies.abort("orders", 503));
    assertThat(r.outcome()).isEqualTo(Outcome.CREATED);
    assertThat(r.revision()).isEqualTo(before + 1);
    assertThat(r.policy().metadata().resourceVersion()).isEqualTo(Long.toString(before + 1));
    assertThat(r.policy().metadata().creationTimestamp()).isNotNull();
    assertThat(r.policy().status().specUpdatedAt()).isNotNull();
    assertThat(store.get("orders")).contains(r.policy());
    assertThat(store.revision()).isEqualTo(before + 1);
  }

  @Test
  void applyingTheSameSpecAndLabelsIsUnchangedAndDoesNotBumpTheRevision() {
    ApplyResult created = store.apply(TestPolicies.abort("orders", 503));
    ApplyResult again = store.apply(TestPolicies.abort("orders", 503));
    assertThat(again.outcome()).isEqualTo(Outcome.UNCHANGED);
    assertThat(again.revision()).isEqualTo(created.revision());
    assertThat(again.policy()).isEqualTo(created.policy());
    assertThat(store.revision()).isEqualTo(created.revision());
  }

  @Test
  void changingTheSpecIsConfiguredAndKeepsTheCreationTimestamp() {
    ApplyResult created = store.apply(TestPolicies.abort("orders", 503));
    ApplyResult updated = store.apply(TestPolicies.abort("orders", 500));
    assertThat(updated.outcome()).isEqualTo(Outcome.CONFIGURED);
    assertThat(updated.revision()).isEqualTo(created.revision() + 1);
    assertThat(updated.policy().metadata().resourceVersion())
        .isEqualTo(Long.toString(updated.revision()));
    assertThat(updated.policy().metadata().creationTimestamp())
        .isEqualTo(created.policy().metadata().creationTimestamp());
    assertThat(updated.policy().spec().fault().abort().httpStatus()).isEqualTo(500);
  }

  @Test
  void changingOnlyTheLabelsIsConfigured() {
    store.apply(TestPolicies.abort("orders", 503));
    FaultInjectionPolicy p = TestPolicies.abort("orders", 503);
    FaultInjectionPolicy labelled =
        FaultInjectionPolicy.of(
            new Metadata("orders", Map.of("team", "payments"), null, null), p.spec());
    assertThat(store.apply(labelled).outcome()).isEqualTo(Outcome.CONFIGURED);
    assertThat(store.get("orders").orElseThrow().metadata().labels())
        .containsEntry("team", "payments");
  }

  @Test
  void aStaleResourceVersionIsAConflictAndChangesNothing() {
    ApplyResult created = store.apply(TestPolicies.abort("orders", 503));
    store.apply(TestPolicies.abort("orders", 500));
    long revision = store.revision();
    FaultInjectionPolicy stale =
        TestPolicies.abort("orders", 502)
            .withResourceVersion(created.policy().metadata().resourceVersion());
    assertThatThrownBy(() -> store.apply(stale))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("orders")
        .hasMessageContaining(created.policy().metadata().resourceVersion());
    assertThat(store.revision()).isEqualTo(revision);
    assertThat(store.get("orders").orElseThrow().spec().fault().abort().httpStatus())
        .isEqualTo(500);
  }

  @Test
  void theCurrentResourceVersionIsAccepted() {
    ApplyResult created = store.apply(TestPolicies.abort("orders", 503));
    ApplyResult updated =
        store.apply(
            TestPolicies.abort("orders", 500)
                .withResourceVersion(created.policy().metadata().resourceVersion()));
    assertThat(updated.outcome()).isEqualTo(Outcome.CONFIGURED);
  }

  @Test
  void aResourceVersionForAMissingPolicyIsAConflict() {
    assertThatThrownBy(
            () -> store.apply(TestPolicies.abort("orders", 503).withResourceVersion("7")))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("does not exist");
    assertThat(store.list().items()).isEmpty();
  }

  @Test
  void racingWritersOnOneResourceVersionGetExactlyOneSuccess() throws Exception {
    String rv =
        store.apply(TestPolicies.abort("orders", 503)).policy().metadata().resourceVersion();
    int writers = 8;
    CyclicBarrier start = new CyclicBarrier(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        int status =
            520 + i; // never 503: an apply equal to the stored spec is UNCHANGED, not a race
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  try {
                    store.apply(TestPolicies.abort("orders", status).withResourceVersion(rv));
                    return true;
                  } catch (ConflictException e) {
                    return false;
                  }
                }));
      }
      int ok = 0;
      for (Future<Boolean> f : results) {
        ok += f.get() ? 1 : 0;
      }
      assertThat(ok).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void invalidPoliciesAreRejectedAndChangeNothing() {
    FaultInjectionPolicy bad = TestPolicies.abort("orders", 700);
    assertThatThrownBy(() -> store.apply(bad))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("spec.fault.abort.httpStatus");
    assertThat(store.revision()).isEqualTo(1);
  }

  @Test
  void deleteReturnsThePolicyAndTheNewRevision() {
    ApplyResult created = store.apply(TestPolicies.abort("orders", 503));
    DeletedPolicy d = store.delete("orders");
    assertThat(d.policy()).isEqualTo(created.policy());
    assertThat(d.revision()).isEqualTo(created.revision() + 1);
    assertThat(store.get("orders")).isEmpty();
    assertThatThrownBy(() -> store.delete("orders"))
        .isInstanceOf(PolicyNotFoundException.class)
        .hasMessageContaining("\"orders\"");
  }

  @Test
  void deleteWithAStaleExpectedVersionIsAConflict() {
    store.apply(TestPolicies.abort("orders", 503));
    store.apply(TestPolicies.abort("orders", 500));
    assertThatThrownBy(() -> store.delete("orders", "2")).isInstanceOf(ConflictException.class);
    assertThat(store.get("orders")).isPresent();
  }

  @Test
  void listIsSortedByNameAndCarriesTheRevision() {
    store.apply(TestPolicies.abort("b", 503));
    store.apply(TestPolicies.abort("a", 503));
    PolicySnapshot s = store.list();
    assertThat(s.items()).extracting(FaultInjectionPolicy::name).containsExactly("a", "b");
    assertThat(s.revision()).isEqualTo(store.revision());
  }

  @Test
  void durationSetsExpiresAtFromWhenTheSpecWasSet() {
    FaultInjectionPolicy p = store.apply(TestPolicies.expiring("orders", "10m")).policy();
    Instant set = Instant.parse(p.status().specUpdatedAt());
    assertThat(Instant.parse(p.status().expiresAt())).isEqualTo(set.plus(Duration.ofMinutes(10)));
  }

  @Test
  void watchDeliversEveryChangeInOrderWithItsRevision() throws Exception {
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    try (PolicyStore.Watch w = store.watch(store.revision(), events::add)) {
      long r1 = store.apply(TestPolicies.abort("a", 503)).revision();
      long r2 = store.apply(TestPolicies.abort("a", 500)).revision();
      store.apply(TestPolicies.abort("a", 500));
      long r3 = store.delete("a").revision();
      Event e1 = events.poll(10, TimeUnit.SECONDS);
      Event e2 = events.poll(10, TimeUnit.SECONDS);
      Event e3 = events.poll(10, TimeUnit.SECONDS);
      assertThat(e1.type()).isEqualTo(Event.Type.PUT);
      assertThat(e1.created()).isTrue();
      assertThat(e1.revision()).isEqualTo(r1);
      assertThat(e2.type()).isEqualTo(Event.Type.PUT);
      assertThat(e2.created()).isFalse();
      assertThat(e2.revision()).isEqualTo(r2);
      assertThat(e2.policy().spec().fault().abort().httpStatus()).isEqualTo(500);
      assertThat(e3.type()).isEqualTo(Event.Type.DELETE);
      assertThat(e3.name()).isEqualTo("a");
      assertThat(e3.revision()).isEqualTo(r3);
    }
  }

  @Test
  void watchFromAPastRevisionReplaysWhatHappenedAfterIt() throws Exception {
    long start = store.revision();
    store.apply(TestPolicies.abort("a", 503));
    long second = store.apply(TestPolicies.abort("b", 503)).revision();
    store.delete("a");
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    try (PolicyStore.Watch w = store.watch(start, events::add)) {
      long live = store.apply(TestPolicies.abort("c", 503)).revision();
      List<Long> revisions = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        revisions.add(events.poll(10, TimeUnit.SECONDS).revision());
      }
      assertThat(revisions).containsExactly(start + 1, second, second + 1, live);
    }
    try (PolicyStore.Watch w = store.watch(second, events::add)) {
      assertThat(events.poll(10, TimeUnit.SECONDS).revision()).isEqualTo(second + 1);
    }
  }

  @Test
  void aSlowWatcherNeverBlocksWritersOrOtherWatchers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    BlockingQueue<Event> slow = new LinkedBlockingQueue<>();
    BlockingQueue<Event> fast = new LinkedBlockingQueue<>();
    long from = store.revision();
    try (PolicyStore.Watch s =
            store.watch(
                from,
                e -> {
                  try {
                    release.await();
                  } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                  }
                  slow.add(e);
                });
        PolicyStore.Watch f = store.watch(from, fast::add)) {
      for (int i = 0; i < 50; i++) {
        store.apply(TestPolicies.abort("p" + i, 503));
      }
      for (int i = 0; i < 50; i++) {
        assertThat(fast.poll(10, TimeUnit.SECONDS)).isNotNull();
      }
      assertThat(slow).isEmpty();
      release.countDown();
      long last = from;
      for (int i = 0; i < 50; i++) {
        Event e = slow.poll(10, TimeUnit.SECONDS);
        assertThat(e.revision()).isGreaterThan(last);
        last = e.revision();
      }
    }
  }

  @Test
  void aClosedWatchReceivesNothingMore() throws Exception {
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    PolicyStore.Watch w = store.watch(store.revision(), events::add);
    w.close();
    store.apply(TestPolicies.abort("a", 503));
    BlockingQueue<Event> witness = new LinkedBlockingQueue<>();
    try (PolicyStore.Watch other = store.watch(1, witness::add)) {
      assertThat(witness.poll(10, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(events).isEmpty();
  }
}
