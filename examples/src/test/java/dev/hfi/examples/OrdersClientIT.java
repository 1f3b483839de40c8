package dev.hfi.examples;

import static dev.hfi.junit.HfiFault.fault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.examples.OrdersClient.OrdersUnavailableException;
import dev.hfi.junit.Abort;
import dev.hfi.junit.HfiAssertions;
import dev.hfi.junit.HfiExtension;
import dev.hfi.junit.HfiStack;
import dev.hfi.junit.InjectFault;
import dev.hfi.junit.InjectedFault;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Example 1: a retrying client survives two injected 503s, also when they start after its first
 * order (injected mid-test), and gives up after its budget.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OrdersClientIT {
  static final ShopServer shop = new ShopServer();

  @RegisterExtension
  static HfiExtension hfi = HfiExtension.newInstance().withUpstream("orders", shop::uri).build();

  @AfterAll
  static void stop() {
    shop.close();
  }

  @Test
  @InjectFault(
      upstream = "orders",
      path = "/api/orders",
      abort = @Abort(httpStatus = 503),
      maxInjections = 2)
  void retriesThroughTwoFailures(HfiStack stack) {
    OrdersClient client = new OrdersClient(stack.proxyUri("orders"), 3);
    int before = shop.orders.get();

    String order = client.placeOrder("{\"sku\":\"book\"}");

    assertThat(order).startsWith("{\"id\":\"o-");
    assertThat(shop.orders.get() - before).isEqualTo(1);
    assertThat(client.retry().getMetrics().getNumberOfSuccessfulCallsWithRetryAttempt())
        .isEqualTo(1);
    HfiAssertions.assertThat(stack).hasInjectionsOnUpstream("orders", 2).hasAborted("orders", 2);
  }

  @Test
  void survivesAnOutageThatStartsAfterItsFirstOrder() {
    OrdersClient client = new OrdersClient(hfi.proxyUri("orders"), 3);
    assertThat(client.placeOrder("{\"sku\":\"book\"}")).startsWith("{\"id\":\"o-");

    // The service fails twice from here on: where the fault starts depends on the test, so the
    // test injects it; inject returns once the proxy applies it.
    InjectedFault outage =
        hfi.inject(fault().onUpstream("orders").onPath("/api/orders").abort(503).times(2));
    String order = client.placeOrder("{\"sku\":\"pen\"}");

    assertThat(order).startsWith("{\"id\":\"o-");
    assertThat(outage.injections()).isEqualTo(2);
    assertThat(client.retry().getMetrics().getNumberOfSuccessfulCallsWithRetryAttempt())
        .isEqualTo(1);
  }

  @Test
  @InjectFault(upstream = "orders", path = "/api/orders", abort = @Abort(httpStatus = 503))
  void givesUpAfterItsRetryBudget(HfiStack stack) {
    OrdersClient client = new OrdersClient(stack.proxyUri("orders"), 3);
    int before = shop.orders.get();

    assertThatThrownBy(() -> client.placeOrder("{\"sku\":\"book\"}"))
        .isInstanceOf(OrdersUnavailableException.class)
        .hasMessage("orders service failed 3 times")
        .hasRootCauseMessage("HTTP 503");
    assertThat(shop.orders.get()).isEqualTo(before);
    HfiAssertions.assertThat(stack).hasInjectionsOnUpstream("orders", 3);
  }
}
