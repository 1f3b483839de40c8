package dev.hfi.filter.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.filter.wasm.FilterHost.Engine;
import dev.hfi.filter.wasm.FilterHost.PollCall;
import dev.hfi.filter.wasm.FilterHost.Result;
import dev.hfi.wasmhost.SharedData;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The built hfi-filter.wasm driven in proxy-wasm-java-host like a proxy would. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FilterBehaviourIT {
  private static final String[] GET_ORDERS = {
    ":method", "GET", ":path", "/api/orders", ":authority", "orders"
  };

  private static FilterHost host() {
    return host(SharedData.envoy());
  }

  private static FilterHost host(SharedData shared) {
    return new FilterHost(FilterAbortIT.CONFIG, shared, Engine.BUILD_TIME_COMPILED);
  }

  private static String ruleSet(long version, String... rules) {
    return "{\"version\":" + version + ",\"rules\":[" + String.join(",", rules) + "]}";
  }

  private static String abortRule(String policy, String path, int status, String extra) {
    return "{\"policy\":\""
        + policy
        + "\",\"path\":{\"prefix\":\""
        + path
        + "\"},\"abort\":{\"httpStatus\":"
        + status
        + "}"
        + extra
        + "}";
  }

  /** Hands the filter a rule set and returns the (unanswered) poll that ACKs it. */
  private static PollCall apply(FilterHost host, PollCall call, long version, String... rules)
      throws InterruptedException {
    call.ruleSet(version, ruleSet(version, rules));
    return host.awaitAck(version);
  }

  @Test
  void delayedRequestResumesNoEarlierThanItsDelay() throws Exception {
    try (FilterHost host = host()) {
      apply(host, host.nextCall(), 1, "{\"policy\":\"slow\",\"delayMs\":300}");
      Result r = host.request(GET_ORDERS);
      assertThat(r.paused).isTrue();
      assertThat(r.passed()).isTrue();
      assertThat(r.elapsedMs).isGreaterThanOrEqualTo(300);
      assertThat(host.metric("hfi.faults.delays_total")).isEqualTo(1);
      assertThat(host.metric("hfi.faults.aborts_total")).isZero();
      // The tick was armed for the delay itself, and is off again now that nothing waits.
      assertThat(host.tickPeriods()).anyMatch(p -> p > 200 && p <= 300);
      assertThat(host.activeTicks()).isZero();
    }
  }

  @Test
  void delayThenAbortWhenBothAreSet() throws Exception {
    try (FilterHost host = host()) {
      apply(
          host,
          host.nextCall(),
          1,
          "{\"policy\":\"slow-fail\",\"delayMs\":200,\"abort\":{\"httpStatus\":504,\"body\":\"late\"}}");
      Result r = host.request(GET_ORDERS);
      assertThat(r.elapsedMs).isGreaterThanOrEqualTo(200);
      assertThat(r.response.status()).isEqualTo(504);
      assertThat(r.body()).isEqualTo("late");
      assertThat(r.header("x-hfi-fault")).isEqualTo("slow-fail");
      assertThat(host.metric("hfi.faults.delays_total")).isEqualTo(1);
      assertThat(host.metric("hfi.faults.aborts_total")).isEqualTo(1);
    }
  }

  @Test
  void expiredRulesAreIgnoredByTheWallClock() throws Exception {
    long now = System.currentTimeMillis();
    try (FilterHost host = host()) {
      apply(
          host,
          host.nextCall(),
          1,
          abortRule("expired", "/a", 503, ",\"expiresAtMs\":" + (now - 1000)),
          abortRule("current", "/a", 500, ",\"expiresAtMs\":" + (now + 3_600_000)));
      assertThat(host.request(":path", "/a").response.status()).isEqualTo(500);
    }
  }

  @Test
  void grpcAbortIsATrailersOnlyAnswerWithGrpcStatus() throws Exception {
    try (FilterHost host = host()) {
      apply(
          host,
          host.nextCall(),
          1,
          "{\"policy\":\"grpc-down\",\"path\":{\"prefix\":\"/orders.Orders/\"},"
              + "\"abort\":{\"grpcStatus\":14}}");
      Result r =
          host.request(
              ":method", "POST", ":path", "/orders.Orders/Get", "content-type", "application/grpc");
      assertThat(r.response.grpcStatus()).isEqualTo(14);
      assertThat(r.response.status()).isEqualTo(200);
      assertThat(r.header("x-hfi-fault")).isEqualTo("grpc-down");
    }
  }

  @Test
  void newRuleSetChangesBehaviourOnTheNextRequest() throws Exception {
    try (FilterHost host = host()) {
      PollCall next = apply(host, host.nextCall(), 1, abortRule("a", "/a", 503, ""));
      assertThat(host.request(":path", "/a").response.status()).isEqualTo(503);
      assertThat(host.request(":path", "/b").passed()).isTrue();

      apply(host, next, 2, abortRule("b", "/b", 500, ""));
      assertThat(host.request(":path", "/a").passed()).isTrue();
      assertThat(host.request(":path", "/b").response.status()).isEqualTo(500);
      assertThat(host.metric("hfi.ruleset.version")).isEqualTo(2);
    }
  }

  @Test
  void garbageRuleSetIsNackedAndTheLastGoodOneKept() throws Exception {
    try (FilterHost host = host()) {
      PollCall next = apply(host, host.nextCall(), 1, abortRule("a", "/a", 503, ""));
      next.ruleSet(2, "{\"version\":2,\"rules\":[{\"policy\":\"broken\"}]}");
      PollCall nack = host.nextCall();
      assertThat(nack.query("version")).isEqualTo("1");
      assertThat(nack.query("rejected")).isEqualTo("2");
      assertThat(nack.query("error")).contains("rules[0]").contains("abort and delayMs");
      assertThat(host.request(":path", "/a").response.status()).isEqualTo(503);
      assertThat(host.metric("hfi.config.errors_total")).isEqualTo(1);
      assertThat(host.metric("hfi.ruleset.version")).isEqualTo(1);

      nack.ruleSet(3, "this is not json");
      PollCall nack2 = host.nextCall();
      assertThat(nack2.query("rejected")).isEqualTo("3");
      assertThat(nack2.query("error")).contains("invalid JSON");
      assertThat(host.request(":path", "/a").response.status()).isEqualTo(503);

      // A good one later clears the NACK.
      nack2.ruleSet(4, ruleSet(4));
      PollCall ack = host.awaitAck(4);
      assertThat(ack.query("rejected")).isEmpty();
      assertThat(host.request(":path", "/a").passed()).isTrue();
    }
  }

  @Test
  void failedPollsBackOffExponentiallyAndResetOnSuccess() throws Exception {
    try (FilterHost host = host()) {
      PollCall call = host.nextCall();
      long base = 100;
      for (int i = 0; i < 4; i++) {
        host.tickPeriods().clear();
        long failedAt = System.nanoTime();
        if (i % 2 == 0) {
          call.fail();
        } else {
          call.respond(503, "unavailable");
        }
        call = host.nextCall();
        long waitedMs = (System.nanoTime() - failedAt) / 1_000_000;
        assertThat(host.tickPeriods()).as("tick armed for the retry").hasSize(1);
        assertThat((long) host.tickPeriods().get(0)).isBetween(base / 2, base);
        assertThat(waitedMs).isGreaterThanOrEqualTo(host.tickPeriods().get(0));
        base *= 2;
      }
      // Success (304): the next poll goes out at once and the backoff starts again from 100 ms.
      host.tickPeriods().clear();
      call.notModified();
      call = host.nextCall();
      call.fail();
      host.nextCall();
      assertThat((long) host.tickPeriods().get(host.tickPeriods().size() - 1)).isBetween(50L, 100L);
    }
  }

  @Test
  void okAnswerWithoutAUsableEventBacksOffLikeAFailure() throws Exception {
    String[] unusable = {
      "<html>not the control plane</html>",
      "data: {\"rules\":[]}\n\n",
      "id: x\nevent: ruleset\ndata: not json\n\n"
    };
    try (FilterHost host = host()) {
      PollCall call = host.nextCall();
      long base = 100;
      for (String body : unusable) {
        host.tickPeriods().clear();
        long answeredAt = System.nanoTime();
        call.respond(200, body);
        call = host.nextCall();
        long waitedMs = (System.nanoTime() - answeredAt) / 1_000_000;
        assertThat(host.tickPeriods()).as("tick armed for the retry of " + body).hasSize(1);
        assertThat((long) host.tickPeriods().get(0)).isBetween(base / 2, base);
        assertThat(waitedMs).isGreaterThanOrEqualTo(host.tickPeriods().get(0));
        // Nothing to NACK: there is no version to name.
        assertThat(call.query("rejected")).isEmpty();
        base *= 2;
      }
      assertThat(host.logs).anyMatch(l -> l.contains("without a usable rule-set event"));
      // A usable answer resets the backoff.
      call.notModified();
      call = host.nextCall();
      host.tickPeriods().clear();
      call.respond(200, "");
      host.nextCall();
      assertThat((long) host.tickPeriods().get(host.tickPeriods().size() - 1)).isBetween(50L, 100L);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void maxInjectionsIsSharedByAllVmsAndResetByANewGeneration(boolean envoySemantics)
      throws Exception {
    SharedData shared = envoySemantics ? SharedData.envoy() : new JavaHostSharedData();
    try (FilterHost vm1 = host(shared);
        FilterHost vm2 = host(shared)) {
      String limited = abortRule("twice", "/api", 503, ",\"generation\":1,\"maxInjections\":3");
      PollCall next1 = apply(vm1, vm1.nextCall(), 1, limited);
      PollCall next2 = apply(vm2, vm2.nextCall(), 1, limited);
      int aborted = 0;
      for (int i = 0; i < 8; i++) {
        FilterHost vm = i % 2 == 0 ? vm1 : vm2;
        if (!vm.request(GET_ORDERS).passed()) {
          aborted++;
        }
      }
      assertThat(aborted).isEqualTo(3);

      String newGeneration =
          abortRule("twice", "/api", 503, ",\"generation\":2,\"maxInjections\":3");
      apply(vm1, next1, 2, newGeneration);
      apply(vm2, next2, 2, newGeneration);
      assertThat(vm2.request(GET_ORDERS).passed()).isFalse();
      assertThat(
              vm1.metric("hfi.policy.twice.injections_total")
                  + vm2.metric("hfi.policy.twice.injections_total"))
          .isEqualTo(4);
    }
  }

  @Test
  void firstClaimsOfTwoVmsRacingInjectOnce() throws Exception {
    RacingSharedData shared = new RacingSharedData();
    try (FilterHost vm1 = host(shared);
        FilterHost vm2 = host(shared)) {
      String once = abortRule("once", "/api", 503, ",\"generation\":1,\"maxInjections\":1");
      apply(vm1, vm1.nextCall(), 1, once);
      apply(vm2, vm2.nextCall(), 1, once);
      ExecutorService workers = Executors.newFixedThreadPool(2);
      try {
        Future<Result> r1 = workers.submit(() -> vm1.request(GET_ORDERS));
        Future<Result> r2 = workers.submit(() -> vm2.request(GET_ORDERS));
        int aborted = (r1.get().passed() ? 0 : 1) + (r2.get().passed() ? 0 : 1);
        assertThat(aborted).isEqualTo(1);
      } finally {
        workers.shutdownNow();
      }
      // Both VMs did find the counter missing before either wrote it: the race took place.
      assertThat(shared.missingReads).hasValueGreaterThanOrEqualTo(2);
      assertThat(vm1.request(GET_ORDERS).passed()).isTrue();
      assertThat(vm2.request(GET_ORDERS).passed()).isTrue();
      assertThat(vm1.metric("hfi.filter.errors_total") + vm2.metric("hfi.filter.errors_total"))
          .isZero();
    }
  }

  /**
   * Envoy's shared data ({@link SharedData#envoy()}) where the first two reads that find a key
   * missing each wait for the other, so two VMs both see the counter missing before either writes
   * it.
   */
  static final class RacingSharedData implements SharedData {
    final AtomicInteger missingReads = new AtomicInteger();
    private final SharedData data = SharedData.envoy();
    private final CyclicBarrier bothReadMissing = new CyclicBarrier(2);

    @Override
    public Entry get(String key) {
      Entry value = data.get(key);
      if (value == null && missingReads.getAndIncrement() < 2) {
        try {
          bothReadMissing.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new AssertionError("the other VM did not read the counter", e);
        }
      }
      return value;
    }

    @Override
    public boolean set(String key, byte[] value, int cas) {
      return data.set(key, value, cas);
    }
  }

  /**
   * Shared data as proxy-wasm-java-host's own handler keeps it where the filter can tell: a write
   * with a non-zero CAS to a missing key is refused.
   */
  static final class JavaHostSharedData implements SharedData {
    private final SharedData data = SharedData.envoy();

    @Override
    public synchronized Entry get(String key) {
      return data.get(key);
    }

    @Override
    public synchronized boolean set(String key, byte[] value, int cas) {
      return (cas == 0 || data.get(key) != null) && data.set(key, value, cas);
    }
  }

  @Test
  void percentageSamplesRequests() throws Exception {
    try (FilterHost host = host()) {
      apply(host, host.nextCall(), 1, abortRule("half", "/", 503, ",\"perMillion\":500000"));
      int aborted = 0;
      for (int i = 0; i < 400; i++) {
        if (!host.request(GET_ORDERS).passed()) {
          aborted++;
        }
      }
      // 400 draws at p = 0.5: sigma = 10; 6 sigma either side.
      assertThat(aborted).isBetween(140, 260);
    }
  }

  @Test
  void exceptionInsideACallbackLetsTheRequestFlow() throws Exception {
    // Someone else's value under the filter's shared-data key makes the injection counter throw
    // inside proxy_on_request_headers.
    SharedData corrupt =
        new SharedData() {
          @Override
          public Entry get(String key) {
            return new Entry("not-a-counter".getBytes(StandardCharsets.UTF_8), 1);
          }

          @Override
          public boolean set(String key, byte[] value, int cas) {
            return true;
          }
        };
    try (FilterHost host = host(corrupt)) {
      apply(host, host.nextCall(), 1, abortRule("limited", "/api", 503, ",\"maxInjections\":5"));
      for (int i = 0; i < 3; i++) {
        Result r = host.request(GET_ORDERS);
        assertThat(r.paused).isFalse();
        assertThat(r.passed()).isTrue();
      }
      assertThat(host.metric("hfi.filter.errors_total")).isEqualTo(3);
      assertThat(host.logs).anyMatch(l -> l.contains("corrupt") && l.contains("request continues"));
    }
  }
}
