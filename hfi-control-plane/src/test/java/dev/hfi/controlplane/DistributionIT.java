package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.AwaitTimeoutException;
import dev.hfi.client.ControlPlaneEvent;
import dev.hfi.client.DataPlaneInstance;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiClient;
import dev.hfi.client.PolicyNotFoundException;
import dev.hfi.client.RuleSet;
import dev.hfi.client.RuleSetRejectedException;
import dev.hfi.client.Streams;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.internal.Distributor;
import dev.hfi.controlplane.internal.EventHub;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Predicate;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rule-set distribution over SSE and long poll, instance tracking, events and expiry. */
@Timeout(60)
class DistributionIT {
  private ServerFixture f;
  private final List<HfiClient.Subscription> subscriptions = new ArrayList<>();

  @BeforeEach
  void start() {
    f = new ServerFixture(b -> b.withStaleAfter(Duration.ofSeconds(1)));
  }

  @AfterEach
  void stop() {
    subscriptions.forEach(HfiClient.Subscription::close);
    f.close();
  }

  private BlockingQueue<RuleSet> ruleSets(Long lastEventId) throws Exception {
    Streams.Collected<RuleSet> c = Streams.ruleSets(f.client, lastEventId);
    subscriptions.add(c.subscription());
    return c.items();
  }

  private BlockingQueue<ControlPlaneEvent> events() throws Exception {
    Streams.Collected<ControlPlaneEvent> c = Streams.events(f.client);
    subscriptions.add(c.subscription());
    return c.items();
  }

  /**
   * Rule sets are compiled after a write returns: waits (on the SSE stream) until the server's
   * current rule set is at {@code revision}, for tests that then expect it at once.
   */
  private void awaitCompiled(long revision) throws Exception {
    BlockingQueue<RuleSet> q = ruleSets(null);
    long compiled;
    do {
      compiled = next(q).version();
    } while (compiled < revision);
    subscriptions.remove(subscriptions.size() - 1).close();
  }

  private static <T> T next(BlockingQueue<T> q) throws InterruptedException {
    T item = q.poll(10, TimeUnit.SECONDS);
    assertThat(item).as("an item within 10s").isNotNull();
    return item;
  }

  private static ControlPlaneEvent until(
      BlockingQueue<ControlPlaneEvent> q, Predicate<ControlPlaneEvent> wanted)
      throws InterruptedException {
    while (true) {
      ControlPlaneEvent e = next(q);
      if (wanted.test(e)) {
        return e;
      }
    }
  }

  @Test
  void sseSubscribersGetTheInitialRuleSetThenEachChangeInOrder() throws Exception {
    BlockingQueue<RuleSet> a = ruleSets(null);
    BlockingQueue<RuleSet> b = ruleSets(null);
    for (BlockingQueue<RuleSet> q : List.of(a, b)) {
      RuleSet initial = next(q);
      assertThat(initial.version()).isEqualTo(1);
      assertThat(initial.json()).isEqualTo("{\"version\":1,\"rules\":[]}");
    }
    long r1 = f.client.apply(TestPolicies.abort("orders", 503)).revision();
    long r2 = f.client.apply(TestPolicies.abort("payments", 503)).revision();
    long r3 = f.client.delete("orders").revision();
    for (BlockingQueue<RuleSet> q : List.of(a, b)) {
      List<Long> seen = new ArrayList<>();
      RuleSet last;
      do {
        last = next(q);
        seen.add(last.version());
      } while (last.version() < r3);
      assertThat(seen).isSorted().doesNotHaveDuplicates().endsWith(r3);
      assertThat(last.json()).contains("\"policy\":\"payments\"").doesNotContain("\"orders\"");
      assertThat(seen).allMatch(v -> v == r1 || v == r2 || v == r3);
    }
  }

  @Test
  void eachChangeAppliedOneAtATimeArrivesAsItsOwnVersion() throws Exception {
    BlockingQueue<RuleSet> q = ruleSets(null);
    next(q);
    for (int i = 0; i < 5; i++) {
      long rev = f.client.apply(TestPolicies.abort("p" + i, 503)).revision();
      RuleSet rs = next(q);
      assertThat(rs.version()).isEqualTo(rev);
      assertThat(rs.ruleCount()).isEqualTo(i + 1);
    }
    assertThat(q).isEmpty();
  }

  @Test
  void aBurstOfWritesGivesStrictlyIncreasingVersionsEndingAtTheLastRevision() throws Exception {
    BlockingQueue<RuleSet> q = ruleSets(null);
    next(q);
    long last = 0;
    for (int i = 0; i < 100; i++) {
      last = f.client.apply(TestPolicies.abort("p" + i, 503)).revision();
    }
    long prev = 0;
    RuleSet rs;
    do {
      rs = next(q);
      assertThat(rs.version()).isGreaterThan(prev);
      prev = rs.version();
    } while (rs.version() < last);
    assertThat(rs.version()).isEqualTo(last);
    assertThat(rs.ruleCount()).isEqualTo(100);
  }

  @Test
  void aStreamResumedWithLastEventIdMissesNothing() throws Exception {
    BlockingQueue<RuleSet> first = ruleSets(null);
    assertThat(next(first).version()).isEqualTo(1);
    subscriptions.remove(0).close();
    f.client.apply(TestPolicies.abort("a", 503));
    long r = f.client.apply(TestPolicies.abort("b", 503)).revision();
    awaitCompiled(r);

    BlockingQueue<RuleSet> behind = ruleSets(1L);
    RuleSet caughtUp = next(behind);
    assertThat(caughtUp.version()).isEqualTo(r);
    assertThat(caughtUp.ruleCount()).isEqualTo(2);

    BlockingQueue<RuleSet> current = ruleSets(r);
    long r2 = f.client.apply(TestPolicies.abort("c", 503)).revision();
    assertThat(next(current).version()).as("no repeat of the version it had").isEqualTo(r2);
    assertThat(next(behind).version()).isEqualTo(r2);
  }

  @Test
  void longPollAnswersAtOnceWhenTheCallerIsBehind() throws Exception {
    long rev = f.client.apply(TestPolicies.abort("a", 503)).revision();
    awaitCompiled(rev);
    long start = System.nanoTime();
    Optional<RuleSet> rs = f.client.poll("n", "i", 0, null, null, Duration.ofSeconds(30));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(rs).get().extracting(RuleSet::version).isEqualTo(rev);
    assertThat(rs.get().json()).contains("\"policy\":\"a\"");
  }

  @Test
  void longPollHoldsWhenCurrentAndAnswers304WhenTheWaitRunsOut() {
    long current = f.server.ruleSet().version();
    long start = System.nanoTime();
    Optional<RuleSet> rs = f.client.poll("n", "i", current, null, null, Duration.ofMillis(800));
    assertThat(rs).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(750));
    ServerFixture.Answer raw =
        f.get("/v1/config/stream?node=n&instance=i&version=" + current + "&wait=300ms");
    assertThat(raw.status()).isEqualTo(304);
    assertThat(raw.body()).isEmpty();
  }

  @Test
  void longPollWaitIsReadInTheSharedDurationGrammar() {
    long current = f.server.ruleSet().version();
    ServerFixture.Answer behind =
        f.get("/v1/config/stream?node=n&instance=i&version=" + (current + 1) + "&wait=1m30s");
    assertThat(behind.status()).as(behind.body()).isEqualTo(200);
    ServerFixture.Answer noWait =
        f.get("/v1/config/stream?node=n&instance=i&version=" + current + "&wait=0");
    assertThat(noWait.status()).isEqualTo(304);
    ServerFixture.Answer plainMillis =
        f.get("/v1/config/stream?node=n&instance=i&version=" + current + "&wait=30000");
    assertThat(plainMillis.status()).isEqualTo(400);
    assertThat(plainMillis.body())
        .contains("query parameter wait: \\\"30000\\\" is not a duration such as 500ms");
  }

  /**
   * Sends every poll at once over its own connection and returns "status body" per poll, or "no
   * answer" when none came within 10 s.
   */
  private List<String> concurrentPolls(long version, List<String> waits) throws Exception {
    okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
    dispatcher.setMaxRequests(waits.size());
    dispatcher.setMaxRequestsPerHost(waits.size());
    OkHttpClient http =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(waits.size(), 1, TimeUnit.MINUTES))
            .callTimeout(Duration.ofSeconds(10))
            .build();
    try {
      List<CompletableFuture<String>> answers = new ArrayList<>();
      for (int i = 0; i < waits.size(); i++) {
        String wait = waits.get(i);
        CompletableFuture<String> answer = new CompletableFuture<>();
        answers.add(answer);
        String path =
            "/v1/config/stream?node=n&instance=w" + i + "&version=" + version + "&wait=" + wait;
        http.newCall(new Request.Builder().url(f.uri.resolve(path).toString()).build())
            .enqueue(
                new Callback() {
                  @Override
                  public void onResponse(Call call, Response response) throws IOException {
                    try (response) {
                      answer.complete(response.code() + " " + response.body().string());
                    }
                  }

                  @Override
                  public void onFailure(Call call, IOException e) {
                    answer.complete("no answer (wait=" + wait + "): " + e);
                  }
                });
      }
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      return answers.stream().map(CompletableFuture::join).toList();
    } finally {
      dispatcher.executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  @Test
  void everyVeryShortLongPollAtTheCurrentVersionIsAnswered304() throws Exception {
    long current = f.server.ruleSet().version();
    List<String> waits = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      waits.add(List.of("1ms", "0ms", "0", "0s").get(i % 4));
    }
    List<String> answers = concurrentPolls(current, waits);
    assertThat(answers).as("answers of 400 polls").allMatch(a -> a.equals("304 "));
    assertThat(f.server.ruleSet().version()).isEqualTo(current);
  }

  @Test
  void longPollsWhoseWaitRunsOutAsTheRuleSetChangesGetOneWholeAnswerEach() throws Exception {
    long current = f.server.ruleSet().version();
    List<String> waits = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      waits.add(i % 25 + "ms");
    }
    CompletableFuture<List<String>> answers =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return concurrentPolls(current, waits);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    long rev = f.client.apply(TestPolicies.abort("a", 503)).revision();
    Optional<RuleSet> changed =
        f.client.poll("n", "probe", current, null, null, Duration.ofSeconds(10));
    assertThat(changed).get().extracting(RuleSet::version).isEqualTo(rev);
    String event =
        new String(Distributor.eventBytes(changed.get()), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(answers.get(60, TimeUnit.SECONDS))
        .as("each poll: a 304 without body, or 200 with exactly the new rule set")
        .allMatch(a -> a.equals("304 ") || a.equals("200 " + event));
  }

  @Test
  void aWaiterWhoseWaitRunsOutAsANewRuleSetArrivesIsDecidedExactlyOnce() throws Exception {
    ScheduledExecutorService compiler = Executors.newSingleThreadScheduledExecutor();
    Distributor d = new Distributor(f.store, new EventHub(), compiler);
    int answered = 0;
    int expired = 0;
    try {
      d.start();
      for (int round = 0; round < 20; round++) {
        long current = d.current().version();
        int n = 100;
        AtomicIntegerArray answers = new AtomicIntegerArray(n);
        AtomicIntegerArray expiries = new AtomicIntegerArray(n);
        CountDownLatch decided = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
          int k = i;
          Distributor.Waiter w =
              new Distributor.Waiter(
                  current,
                  null,
                  Duration.ofMillis(k % 20),
                  rs -> {
                    answers.incrementAndGet(k);
                    decided.countDown();
                  },
                  () -> {
                    expiries.incrementAndGet(k);
                    decided.countDown();
                  });
          assertThat(d.pollOrWait(w)).isNull();
        }
        long rev = f.store.apply(TestPolicies.abort("race" + round, 503)).revision();
        assertThat(decided.await(10, TimeUnit.SECONDS)).as("every waiter decided").isTrue();
        // Once the new set is current (read under the publish lock, so its fan-out is over) and a
        // deadline set after every other has run, no late second answer can still come.
        CompletableFuture<RuleSet> published = new CompletableFuture<>();
        RuleSet now =
            d.pollOrWait(
                new Distributor.Waiter(
                    current, null, Duration.ofSeconds(10), published::complete, () -> {}));
        if (now != null) {
          published.complete(now);
        }
        assertThat(published.get(10, TimeUnit.SECONDS).version()).isEqualTo(rev);
        CountDownLatch settled = new CountDownLatch(1);
        assertThat(
                d.pollOrWait(
                    new Distributor.Waiter(
                        rev, null, Duration.ofMillis(30), rs -> {}, settled::countDown)))
            .isNull();
        assertThat(settled.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < n; i++) {
          assertThat(answers.get(i) + expiries.get(i)).as("outcomes of waiter " + i).isEqualTo(1);
          answered += answers.get(i);
          expired += expiries.get(i);
        }
      }
    } finally {
      d.close();
      compiler.shutdownNow();
    }
    assertThat(answered).as("waiters answered by a new rule set").isPositive();
    assertThat(expired).as("waiters whose wait ran out").isPositive();
  }

  @Test
  void aHeldLongPollIsAnsweredByTheNextChange() throws Exception {
    BlockingQueue<ControlPlaneEvent> events = events();
    long current = f.server.ruleSet().version();
    long start = System.nanoTime();
    CompletableFuture<Optional<RuleSet>> poll =
        CompletableFuture.supplyAsync(
            () -> f.client.poll("n", "held", current, null, null, Duration.ofSeconds(30)));
    until(events, e -> e.type().equals("ack") && "held".equals(e.instance()));
    long rev = f.client.apply(TestPolicies.abort("a", 503)).revision();
    Optional<RuleSet> rs = poll.get(20, TimeUnit.SECONDS);
    assertThat(rs).get().extracting(RuleSet::version).isEqualTo(rev);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void aLongPollThatRejectedTheCurrentVersionIsHeld() {
    long rev = f.client.apply(TestPolicies.abort("a", 503)).revision();
    Optional<RuleSet> rs = f.client.poll("n", "i", 1, rev, "bad", Duration.ofMillis(300));
    assertThat(rs).isEmpty();
  }

  @Test
  void acksAndNacksAppearInNodesAndEvents() throws Exception {
    BlockingQueue<ControlPlaneEvent> events = events();
    long rev = f.client.apply(TestPolicies.abort("a", 503)).revision();
    f.client.poll("orders-proxy", "w1", 0, null, null, Duration.ofMillis(100));
    f.client.poll("orders-proxy", "w1", rev, null, null, Duration.ofMillis(100));
    f.client.poll("orders-proxy", "w2", 1, rev, "regex too big", Duration.ofMillis(100));

    ControlPlaneEvent ack =
        until(
            events, e -> e.type().equals("ack") && "w1".equals(e.instance()) && e.version() == rev);
    assertThat(ack.node()).isEqualTo("orders-proxy");
    ControlPlaneEvent nack = until(events, e -> e.type().equals("nack"));
    assertThat(nack.instance()).isEqualTo("w2");
    assertThat(nack.version()).isEqualTo(rev);
    assertThat(nack.appliedVersion()).isEqualTo(1);
    assertThat(nack.error()).isEqualTo("regex too big");

    HfiClient.Nodes nodes = f.client.nodes();
    assertThat(nodes.version()).isEqualTo(rev);
    assertThat(nodes.items()).hasSize(2);
    DataPlaneInstance w1 = nodes.items().get(0);
    assertThat(w1.id()).isEqualTo("orders-proxy/w1");
    assertThat(w1.status()).isEqualTo("ACK");
    assertThat(w1.appliedVersion()).isEqualTo(rev);
    assertThat(w1.lastSeen()).isNotNull();
    DataPlaneInstance w2 = nodes.items().get(1);
    assertThat(w2.status()).isEqualTo("NACK");
    assertThat(w2.rejectedVersion()).isEqualTo(rev);
    assertThat(w2.error()).isEqualTo("regex too big");
    assertThat(w2.appliedVersion()).isEqualTo(1);
  }

  @Test
  void instancesThatStopPollingGoStaleAndComeBackWhenTheyPollAgain() throws Exception {
    BlockingQueue<ControlPlaneEvent> events = events();
    f.client.poll("n", "quiet", 0, null, null, Duration.ofMillis(100));
    ControlPlaneEvent stale = until(events, e -> e.type().equals("stale"));
    assertThat(stale.instance()).isEqualTo("quiet");
    assertThat(f.client.nodes().items()).singleElement().matches(DataPlaneInstance::stale);
    f.client.poll("n", "quiet", 1, null, null, Duration.ofMillis(100));
    ControlPlaneEvent back = until(events, e -> e.type().equals("ack"));
    assertThat(back.instance()).isEqualTo("quiet");
    assertThat(back.version()).isEqualTo(1);
  }

  @Test
  void aHeldPollKeepsTheInstanceLive() throws Exception {
    BlockingQueue<ControlPlaneEvent> events = events();
    long current = f.server.ruleSet().version();
    java.time.Instant start = java.time.Instant.now();
    f.client.poll("n", "patient", current, null, null, Duration.ofMillis(2500));
    ControlPlaneEvent stale = until(events, e -> e.type().equals("stale"));
    assertThat(java.time.Instant.parse(stale.lastSeen()))
        .as("last seen when the held poll ended, not when it began")
        .isAfterOrEqualTo(start.plusMillis(2500));
  }

  @Test
  void eventsReportPolicyChangesAndRuleSets() throws Exception {
    BlockingQueue<ControlPlaneEvent> events = events();
    long created = f.client.apply(TestPolicies.abort("a", 503)).revision();
    long updated = f.client.apply(TestPolicies.abort("a", 500)).revision();
    long deleted = f.client.delete("a").revision();
    List<ControlPlaneEvent> policy = new ArrayList<>();
    ControlPlaneEvent e;
    do {
      e = next(events);
      if (e.type().equals("policy")) {
        policy.add(e);
      }
    } while (!(e.type().equals("ruleset") && e.version() == deleted));
    assertThat(policy)
        .extracting(ControlPlaneEvent::action, ControlPlaneEvent::name, ControlPlaneEvent::revision)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("created", "a", created),
            org.assertj.core.groups.Tuple.tuple("updated", "a", updated),
            org.assertj.core.groups.Tuple.tuple("deleted", "a", deleted));
    assertThat(e.rules()).isZero();
  }

  @Test
  void awaitAppliedReturnsOnceEveryLiveInstanceHasAcked() throws Exception {
    try (PollingInstance a = new PollingInstance(f.client, "orders", "w1", v -> true);
        PollingInstance b = new PollingInstance(f.client, "payments", "w1", v -> true)) {
      long rev = f.client.apply(TestPolicies.abort("a", 503)).revision();
      f.client.awaitApplied(rev, Duration.ofSeconds(20));
      assertThat(f.client.nodes().items())
          .hasSize(2)
          .allMatch(i -> i.appliedVersion() >= rev, "applied " + rev);
    }
  }

  @Test
  void awaitAppliedFailsFastNamingTheInstanceThatNacked() throws Exception {
    try (PollingInstance good = new PollingInstance(f.client, "orders", "w1", v -> true);
        PollingInstance bad = new PollingInstance(f.client, "orders", "w2", v -> v < 2)) {
      long rev = f.client.apply(TestPolicies.abort("a", 503)).revision();
      assertThatThrownBy(() -> f.client.awaitApplied(rev, Duration.ofSeconds(20)))
          .isInstanceOf(RuleSetRejectedException.class)
          .hasMessageContaining("orders/w2")
          .hasMessageContaining("rule set " + rev + " refused");
    }
  }

  @Test
  void awaitAppliedTimesOutNamingTheLaggards() {
    try (ServerFixture slow = new ServerFixture()) {
      slow.client.poll("orders", "stuck", 0, null, null, Duration.ofMillis(50));
      long rev = slow.client.apply(TestPolicies.abort("a", 503)).revision();
      assertThatThrownBy(() -> slow.client.awaitApplied(rev, Duration.ofMillis(500)))
          .isInstanceOf(AwaitTimeoutException.class)
          .hasMessageContaining("orders/stuck (applied 0)")
          .hasMessageContaining("rule set " + rev);
    }
  }

  @Test
  void awaitAppliedIgnoresStaleInstances() throws Exception {
    BlockingQueue<ControlPlaneEvent> events = events();
    f.client.poll("orders", "gone", 0, null, null, Duration.ofMillis(50));
    until(events, e -> e.type().equals("stale"));
    long rev = f.client.apply(TestPolicies.abort("a", 503)).revision();
    f.client.awaitApplied(rev, Duration.ofSeconds(5));
  }

  @Test
  void expiredPoliciesAreDeletedWhenTheirDurationEnds() throws Exception {
    BlockingQueue<ControlPlaneEvent> events = events();
    long start = System.nanoTime();
    FaultInjectionPolicy p = f.client.apply(TestPolicies.expiring("short", "700ms")).policy();
    assertThat(p.status().expiresAt()).isNotNull();
    ControlPlaneEvent deleted =
        until(events, e -> e.type().equals("policy") && "deleted".equals(e.action()));
    assertThat(deleted.name()).isEqualTo("short");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(650));
    assertThatThrownBy(() -> f.client.get("short")).isInstanceOf(PolicyNotFoundException.class);
  }

  @Test
  void reapplyingBeforeExpiryWithANewSpecRestartsTheClock() throws Exception {
    FaultInjectionPolicy first = f.client.apply(TestPolicies.expiring("p", "10m")).policy();
    FaultInjectionPolicy same = f.client.apply(TestPolicies.expiring("p", "10m")).policy();
    assertThat(same.status()).isEqualTo(first.status());
    FaultInjectionPolicy longer = f.client.apply(TestPolicies.expiring("p", "20m")).policy();
    assertThat(longer.status().expiresAt()).isGreaterThan(first.status().expiresAt());
  }
}
