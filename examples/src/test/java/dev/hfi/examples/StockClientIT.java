package dev.hfi.examples;

import static dev.hfi.junit.HfiFault.fault;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.junit.HfiExtension;
import dev.hfi.junit.InjectedFault;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Example 3: a circuit breaker that has seen good calls opens when the inventory starts failing
 * half the time, and closes once it recovers. The outage starts and ends in the middle of the test,
 * so the test injects it with {@code hfi.inject(...)} and removes it itself.
 */
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
  void opensWhenTheInventoryStartsFailingAndClosesWhenItRecovers() throws InterruptedException {
    // Open for 2 s: long enough that the check right after it opened cannot race its timer on a
    // loaded machine, short enough for the half-open wait below.
    StockClient stock = new StockClient(hfi.proxyUri("inventory"), 10, Duration.ofSeconds(2));
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

    // A healthy inventory first: a full window of good calls keeps the breaker closed.
    for (int i = 0; i < 10; i++) {
      assertThat(stock.stock("book")).isEqualTo(OptionalInt.of(7));
    }
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);

    // Then it starts failing half the time; inject returns once the proxy applies it.
    InjectedFault flaky =
        hfi.inject(fault().onUpstream("inventory").onPath("/api/stock").abort(503).percentage(50));
    for (int i = 0; i < 500 && breaker.getState() == CircuitBreaker.State.CLOSED; i++) {
      stock.stock("book");
    }
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(flaky.injections()).isPositive();
    int reads = shop.stockReads.get();
    assertThat(stock.stock("book")).isEmpty();
    assertThat(shop.stockReads.get()).as("an open breaker sends nothing").isEqualTo(reads);

    // The inventory recovers ...
    flaky.remove();

    // ... and after its open time the breaker tries again and closes.
    assertThat(halfOpen.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 3; i++) {
      assertThat(stock.stock("book")).isEqualTo(OptionalInt.of(7));
    }
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }
}
