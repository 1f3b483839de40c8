package dev.hfi.examples.spring;

import static dev.hfi.junit.HfiFault.fault;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.junit.Abort;
import dev.hfi.junit.Delay;
import dev.hfi.junit.HfiExtension;
import dev.hfi.junit.InjectedFault;
import dev.hfi.junit.InjectFault;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

/**
 * The product service, started whole on a random port, with its inventory client pointed at HFI's
 * proxy in front of the real inventory service: each test injects the inventory failure it is
 * about, and checks that the service answers anyway.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProductServiceIT {
  static final InventoryServer inventory = new InventoryServer();

  @RegisterExtension
  static HfiExtension hfi =
      HfiExtension.newInstance().withUpstream("inventory", inventory::uri).build();

  /** The service calls the inventory through HFI's proxy: known once HFI's beforeAll has run. */
  @DynamicPropertySource
  static void inventoryThroughHfi(DynamicPropertyRegistry registry) {
    registry.add("inventory.url", () -> hfi.proxyUri("inventory").toString());
  }

  @Value("${local.server.port}")
  int port;

  @Autowired Retry inventoryRetry;
  @Autowired CircuitBreaker inventoryCircuitBreaker;

  @AfterAll
  static void stop() {
    inventory.close();
  }

  @AfterEach
  void closeTheBreaker() {
    inventoryCircuitBreaker.reset();
  }

  @Test
  @InjectFault(
      upstream = "inventory",
      path = "/api/stock",
      abort = @Abort(httpStatus = 503),
      maxInjections = 2)
  void retriesThroughTwoFailures() {
    long retriedBefore = inventoryRetry.getMetrics().getNumberOfSuccessfulCallsWithRetryAttempt();

    Stock stock = product("book");

    assertThat(stock).isEqualTo(new Stock("book", 7, "inventory"));
    assertThat(inventoryRetry.getMetrics().getNumberOfSuccessfulCallsWithRetryAttempt())
        .isEqualTo(retriedBefore + 1);
    assertThat(hfi.injectionsOnUpstream("inventory")).isEqualTo(2);
  }

  @Test
  @InjectFault(upstream = "inventory", path = "/api/stock", delay = @Delay(fixedDelay = "3s"))
  void answersInTimeWhenTheInventoryIsSlow() {
    long start = System.nanoTime();

    Stock stock = product("lamp");

    // The time limiter (500ms) gave up long before the inventory's 3s answer.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(stock).isEqualTo(new Stock("lamp", null, "none"));
  }

  @Test
  @InjectFault(upstream = "inventory", path = "/api/stock", abort = @Abort(httpStatus = 503))
  void opensTheCircuitAndLeavesTheInventoryAlone() {
    // Two requests, three attempts each: six failures out of six calls open the breaker.
    assertThat(product("desk")).isEqualTo(new Stock("desk", null, "none"));
    assertThat(product("desk")).isEqualTo(new Stock("desk", null, "none"));
    assertThat(inventoryCircuitBreaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    long injected = hfi.injectionsOnUpstream("inventory");
    assertThat(injected).isEqualTo(6);

    // While it is open, the service answers from its fallback without calling the inventory.
    for (int i = 0; i < 5; i++) {
      assertThat(product("desk").source()).isEqualTo("none");
    }
    assertThat(hfi.injectionsOnUpstream("inventory")).isEqualTo(injected);
  }

  @Test
  void answersWithTheLastKnownStockWhileTheInventoryIsDown() {
    assertThat(product("chair")).isEqualTo(new Stock("chair", 7, "inventory"));

    // The inventory goes down once the service has seen it healthy.
    InjectedFault down =
        hfi.inject(fault().onUpstream("inventory").onPath("/api/stock").abort(503));

    assertThat(product("chair")).isEqualTo(new Stock("chair", 7, "cache"));
    assertThat(down.injections()).isEqualTo(3); // three attempts, then the fallback

    down.remove();
    assertThat(product("chair")).isEqualTo(new Stock("chair", 7, "inventory"));
  }

  private Stock product(String sku) {
    return RestClient.create("http://localhost:" + port)
        .get()
        .uri("/api/products/{sku}", sku)
        .retrieve()
        .body(Stock.class);
  }
}
