package dev.hfi.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.ConflictException;
import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import dev.hfi.client.StoreUnavailableException;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.AbstractPolicyStoreContractTest;
import dev.hfi.controlplane.PolicyStore;
import dev.hfi.controlplane.PolicyStore.Event;
import dev.hfi.testsupport.EtcdProcess;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The etcd store against a real etcd process (a fresh one per test, so the contract's "an empty
 * store is at revision 1" holds): the shared contract, plus what only a networked store has.
 */
class EtcdPolicyStoreIT extends AbstractPolicyStoreContractTest {
  private EtcdProcess etcd;
  private final List<AutoCloseable> extra = new ArrayList<>();

  @Override
  protected PolicyStore newStore() {
    etcd = EtcdProcess.start();
    return newStoreOnSameEtcd();
  }

  private EtcdPolicyStore newStoreOnSameEtcd() {
    return EtcdPolicyStore.builder().withEndpoints(etcd.endpoint()).build();
  }

  @AfterEach
  void stopEtcd() throws Exception {
    for (AutoCloseable c : extra) {
      c.close();
    }
    store.close();
    etcd.close();
  }

  @Test
  void policiesSurviveAStoreRestartWithTheirVersions() {
    ApplyResult a = store.apply(TestPolicies.abort("a", 503));
    ApplyResult b = store.apply(TestPolicies.abort("b", 500));
    store.close();
    try (PolicyStore again = newStoreOnSameEtcd()) {
      assertThat(again.get("a")).contains(a.policy());
      assertThat(again.get("b")).contains(b.policy());
      assertThat(again.revision()).isEqualTo(b.revision());
    }
  }

  @Test
  void twoStoresOnOneEtcdShareRevisionsAndConflicts() {
    EtcdPolicyStore other = newStoreOnSameEtcd();
    extra.add(other);
    ApplyResult created = store.apply(TestPolicies.abort("orders", 503));
    assertThat(other.get("orders")).contains(created.policy());
    assertThat(other.revision()).isEqualTo(store.revision());
    other.apply(TestPolicies.abort("orders", 500));
    assertThatThrownBy(
            () ->
                store.apply(
                    TestPolicies.abort("orders", 502)
                        .withResourceVersion(created.policy().metadata().resourceVersion())))
        .isInstanceOf(ConflictException.class);
    assertThat(store.get("orders").orElseThrow().spec().fault().abort().httpStatus())
        .isEqualTo(500);
  }

  @Test
  void aWatchResumesAfterEtcdRestartsWithoutMissingOrRepeatingEvents() throws Exception {
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    try (PolicyStore.Watch w = store.watch(store.revision(), events::add)) {
      for (int i = 0; i < 3; i++) {
        store.apply(TestPolicies.abort("p" + i, 503));
      }
      for (int i = 0; i < 3; i++) {
        assertThat(events.poll(10, TimeUnit.SECONDS)).isNotNull();
      }
      etcd.kill();
      etcd.restart();
      List<Long> written = new ArrayList<>();
      try (PolicyStore writer = newStoreOnSameEtcd()) {
        for (int i = 3; i < 6; i++) {
          written.add(writer.apply(TestPolicies.abort("p" + i, 503)).revision());
        }
      }
      List<Long> seen = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Event e = events.poll(20, TimeUnit.SECONDS);
        assertThat(e).as("event %d after the restart", i).isNotNull();
        seen.add(e.revision());
      }
      assertThat(seen).isEqualTo(written);
      store.apply(TestPolicies.abort("last", 503));
      assertThat(events.poll(10, TimeUnit.SECONDS).name()).isEqualTo("last");
      assertThat(events).isEmpty();
    }
  }

  @Test
  void aWatchFromCompactedRevisionsReportsCompactedSoTheListenerListsAgain() throws Exception {
    long start = store.revision();
    store.apply(TestPolicies.abort("a", 503));
    long last = store.apply(TestPolicies.abort("b", 503)).revision();
    try (Client admin = Client.builder().endpoints(etcd.endpoint()).build()) {
      admin.getKVClient().compact(last).get(10, TimeUnit.SECONDS);
    }
    Recorded seen = new Recorded();
    try (PolicyStore.Watch w = store.watch(start, seen)) {
      assertThat(seen.errors.poll(10, TimeUnit.SECONDS).code()).isEqualTo(ErrorCode.COMPACTED);
      assertThat(seen.events).isEmpty();
    }
  }

  @Test
  void compactionOfRevisionsWithoutPolicyChangesIsNotALoss() throws Exception {
    long revision = store.apply(TestPolicies.abort("a", 503)).revision();
    try (Client admin = Client.builder().endpoints(etcd.endpoint()).build()) {
      ByteSequence other = ByteSequence.from("/elsewhere", StandardCharsets.UTF_8);
      long later = 0;
      for (int i = 0; i < 5; i++) {
        later =
            admin
                .getKVClient()
                .put(other, other)
                .get(10, TimeUnit.SECONDS)
                .getHeader()
                .getRevision();
      }
      admin.getKVClient().compact(later).get(10, TimeUnit.SECONDS);
    }
    Recorded seen = new Recorded();
    try (PolicyStore.Watch w = store.watch(revision, seen)) {
      long next = store.apply(TestPolicies.abort("b", 503)).revision();
      assertThat(seen.events.poll(10, TimeUnit.SECONDS).revision()).isEqualTo(next);
      assertThat(seen.errors).isEmpty();
    }
  }

  @Test
  void withEtcdDownWritesAreUnavailableAndReadsServeTheLastKnownPolicies() {
    ApplyResult a = store.apply(TestPolicies.abort("a", 503));
    etcd.kill();
    assertThatThrownBy(() -> store.apply(TestPolicies.abort("b", 503)))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining(etcd.endpoint().toString());
    assertThatThrownBy(() -> store.revision()).isInstanceOf(StoreUnavailableException.class);
    assertThat(store.get("a")).contains(a.policy());
    assertThat(store.list().items()).containsExactly(a.policy());
    assertThat(store.list().revision()).isEqualTo(a.revision());
    etcd.restart();
    assertThat(store.apply(TestPolicies.abort("b", 503)).outcome())
        .isEqualTo(ApplyResult.Outcome.CREATED);
    assertThat(store.revision()).isEqualTo(a.revision() + 1);
  }

  @Test
  void exactlyOneStoreRunsALeaderDutyAndTheOtherTakesOverWhenItLeaves() throws Exception {
    EtcdPolicyStore first = (EtcdPolicyStore) store;
    EtcdPolicyStore second = newStoreOnSameEtcd();
    extra.add(second);
    BlockingQueue<String> started = new LinkedBlockingQueue<>();
    BlockingQueue<String> stopped = new LinkedBlockingQueue<>();
    AutoCloseable one = first.runWhileLeader("duty", "one", () -> duty("one", started, stopped));
    assertThat(started.poll(10, TimeUnit.SECONDS)).isEqualTo("one");
    AutoCloseable two = second.runWhileLeader("duty", "two", () -> duty("two", started, stopped));
    extra.add(two);
    assertThat(second.leader("duty")).contains("one");
    one.close();
    assertThat(stopped.poll(10, TimeUnit.SECONDS)).isEqualTo("one");
    assertThat(started.poll(10, TimeUnit.SECONDS)).isEqualTo("two");
    assertThat(first.leader("duty")).contains("two");
    assertThat(started).isEmpty();
  }

  private static AutoCloseable duty(
      String who, BlockingQueue<String> started, BlockingQueue<String> stopped) {
    started.add(who);
    return () -> stopped.add(who);
  }

  @Test
  void badSettingsAreRejectedWithTheFix() {
    assertThatThrownBy(() -> EtcdPolicyStore.builder().build())
        .hasMessageContaining("--etcd-endpoints");
    assertThatThrownBy(() -> EtcdPolicyStore.builder().withEndpoints("127.0.0.1:2379").build())
        .hasMessageContaining("http://HOST:PORT");
    assertThatThrownBy(
            () ->
                EtcdPolicyStore.builder()
                    .withEndpoints("http://127.0.0.1:2379")
                    .withPrefix("hfi")
                    .build())
        .hasMessageContaining("prefix");
    assertThatThrownBy(
            () ->
                EtcdPolicyStore.builder()
                    .withEndpoints("http://127.0.0.1:2379")
                    .withCredentials("root", null)
                    .build())
        .hasMessageContaining("--etcd-password");
  }

  /** A watch listener that keeps what it is given, for the test to poll. */
  private static final class Recorded implements PolicyStore.Listener {
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final BlockingQueue<HfiException> errors = new LinkedBlockingQueue<>();

    @Override
    public void onEvent(Event event) {
      events.add(event);
    }

    @Override
    public void onError(HfiException error) {
      errors.add(error);
    }
  }
}
