package dev.hfi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.junit.Abort;
import dev.hfi.junit.HfiExtension;
import dev.hfi.junit.HfiStack;
import dev.hfi.junit.InjectFault;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Example 3: a circuit breaker opens under 50% aborts and closes once the fault is gone. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StockClientIT {
  static final ShopServer shop = new ShopServer();

  @RegisterExtension
  static HfiExtension hfi = HfiExtension.newInstance().withUpstream("inventory", shop::uri).build();

  @AfterAll
  static void stop() {
    shop.close();
  }

  @Test
  @InjectFault(
      name = "inventory-flaky",
      upstream = "inventory",
      path = "/api/stock",
      abort = @Abort(httpStatus = 503),
      percentage = 50)
  void opensUnderHalfFailuresAndClosesWhenThePolicyGoesAway(HfiStack stack)
      throws InterruptedException {
    // Open for 2 s: long enough that the check right after it opened cannot race its timer on a
    // loaded machine, short enough for the half-open wait below.
    StockClient stock = new StockClient(stack.proxyUri("inventory"), 10, Duration.ofSeconds(2));
    CircuitBreaker breaker = stock.breaker();
    CountDownLatch halfOpen = new CountDownLatch(1);
    breaker
        .getEventPublisher()
        .onStateTransition(
            e -> {
              if (e.getStateTransition().getToState() == CircuitBreaker.State.HALF_OPEN) {
                halfOpen.countDown();
              }
            });

    // Half the calls fail at random: a window of 10 reaches 50% failures within a few hundred.
    for (int i = 0; i < 500 && breaker.getState() == CircuitBreaker.State.CLOSED; i++) {
      stock.stock("book");
    }
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    int reads = shop.stockReads.get();
    assertThat(stock.stock("book")).isEmpty();
    assertThat(shop.stockReads.get()).as("an open breaker sends nothing").isEqualTo(reads);

    // The fault goes away (as when the dependency recovers) ...
    long revision = stack.client().delete("inventory-flaky").revision();
    stack.client().awaitApplied(revision, Duration.ofSeconds(10));

    // ... and after its open time the breaker tries again and closes.
    assertThat(halfOpen.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 3; i++) {
      assertThat(stock.stock("book")).isEqualTo(OptionalInt.of(7));
    }
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }
}
