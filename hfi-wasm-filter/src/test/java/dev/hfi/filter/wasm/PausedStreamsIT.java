package dev.hfi.filter.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.filter.wasm.FilterHost.Engine;
import dev.hfi.filter.wasm.FilterHost.PollCall;
import dev.hfi.wasmhost.Decision;
import dev.hfi.wasmhost.Decision.Paused;
import dev.hfi.wasmhost.Decision.Proceed;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Delayed requests end cleanly in the host however they end, with the host's own assertions on
 * (surefire and failsafe run with {@code -ea}): proxy-wasm-java-host asserts in {@code
 * Context.finishClose()} that the context being closed is its active one, and switches that only
 * when it creates a context or the filter asks. Each case below closes a context that is not the
 * last one created or resumed; the host adaptor makes it active first.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PausedStreamsIT {
  private static final String[] SLOW = {":method", "GET", ":path", "/slow"};

  @BeforeAll
  static void theHostsAssertionsAreOn() throws ClassNotFoundException {
    // The class whose assertion this suite is about; by name, as only hfi-wasm-host may use the
    // host's internal package.
    Class<?> context =
        Class.forName(
            "io.roastedroot.proxywasm.internal.Context",
            false,
            PausedStreamsIT.class.getClassLoader());
    assertThat(context.desiredAssertionStatus())
        .as("assertions must be on for the host's package (-ea, nothing switching them off)")
        .isTrue();
  }

  private static FilterHost delaying(long delayMs) throws InterruptedException {
    FilterHost host = new FilterHost(FilterAbortIT.CONFIG, Engine.BUILD_TIME_COMPILED);
    PollCall call = host.nextCall();
    call.ruleSet(
        1,
        "{\"version\":1,\"rules\":[{\"policy\":\"slow\",\"path\":{\"prefix\":\"/slow\"},"
            + "\"delayMs\":"
            + delayMs
            + "}]}");
    host.awaitAck(1);
    return host;
  }

  @Test
  void requestsResumedByOneTickAllEndAndTheTickKeepsRunning() throws Exception {
    try (FilterHost host = delaying(50)) {
      CountDownLatch busy = new CountDownLatch(1);
      host.holdTicks(busy);
      Paused first = (Paused) host.send(SLOW);
      Paused second = (Paused) host.send(SLOW);
      CompletableFuture<Integer> firstTick = new CompletableFuture<>();
      CompletableFuture<Integer> secondTick = new CompletableFuture<>();
      CompletableFuture<Decision> firstOutcome = new CompletableFuture<>();
      CompletableFuture<Decision> secondOutcome = new CompletableFuture<>();
      first.whenResumed(
          d -> {
            firstTick.complete(host.ticksRun());
            firstOutcome.complete(d);
          });
      second.whenResumed(
          d -> {
            secondTick.complete(host.ticksRun());
            secondOutcome.complete(d);
          });

      // The tick thread stays busy until both delays are over, so that one tick finds both due:
      // the filter makes each one's context effective in turn, the second stays active.
      ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
      try {
        clock.schedule(busy::countDown, 150, TimeUnit.MILLISECONDS);
        assertThat(FilterHost.await(firstOutcome)).isInstanceOf(Proceed.class);
        assertThat(FilterHost.await(secondOutcome)).isInstanceOf(Proceed.class);
      } finally {
        clock.shutdownNow();
      }
      assertThat(firstTick.get()).as("both resumed by the same tick").isEqualTo(secondTick.get());

      // The tick survived: a later delayed request is resumed by it too.
      FilterHost.Result later = host.request(SLOW);
      assertThat(later.paused).isTrue();
      assertThat(later.passed()).isTrue();
      assertThat(host.metric("hfi.faults.delays_total")).isEqualTo(3);
      assertThat(host.metric("hfi.filter.errors_total")).isZero();
      assertThat(host.activeTicks()).isZero();
    }
  }

  @Test
  void abandoningPausedRequestsEndsTheirStreamsInTheFilter() throws Exception {
    try (FilterHost host = delaying(60_000)) {
      Paused first = (Paused) host.send(SLOW);
      Paused second = (Paused) host.send(SLOW);
      assertThat(host.send(":path", "/fast")).isInstanceOf(Proceed.class);
      assertThat(host.activeTicks()).as("the tick armed for the delays").isEqualTo(1);

      // Neither is the active context any more (the last request ended, the root is active).
      first.abandon();
      second.abandon();

      // The filter forgot both (its on_done ran): nothing waits, its tick is off.
      assertThat(host.activeTicks()).isZero();
      assertThat(host.metric("hfi.filter.errors_total")).isZero();
      assertThat(host.request(":path", "/fast").passed()).isTrue();
    }
  }

  @Test
  void closingTheVmLetsPausedRequestsThrough() throws Exception {
    Paused first;
    Paused second;
    try (FilterHost host = delaying(60_000)) {
      first = (Paused) host.send(SLOW);
      second = (Paused) host.send(SLOW);
    }
    for (Paused p : List.of(first, second)) {
      assertThat(FilterHost.await(FilterHost.resumed(p))).isInstanceOf(Proceed.class);
    }
  }
}
