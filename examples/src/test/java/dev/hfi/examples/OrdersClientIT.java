package dev.hfi.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.examples.OrdersClient.OrdersUnavailableException;
import dev.hfi.junit.Abort;
import dev.hfi.junit.HfiAssertions;
import dev.hfi.junit.HfiExtension;
import dev.hfi.junit.HfiStack;
import dev.hfi.junit.InjectFault;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Example 1: a retrying client survives two injected 503s and gives up after its budget. */
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
