package dev.hfi.junit;

import static dev.hfi.junit.EchoUpstream.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.testkit.JournaledRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code hfi.requests()}: the current test's requests, as the filter journaled them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RequestJournalIT {
  static final EchoUpstream orders = new EchoUpstream();
  static final EchoUpstream payments = new EchoUpstream();

  @RegisterExtension
  static HfiExtension hfi =
      HfiExtension.newInstance()
          .withUpstream("orders", orders::uri)
          .withUpstream("payments", payments::uri)
          .build();

  @AfterAll
  static void stopUpstreams() {
    orders.close();
    payments.close();
  }

  @Test
  @Order(1)
  @InjectFault(
      name = "orders-down",
      upstream = "orders",
      path = "/api/orders",
      abort = @Abort(httpStatus = 503),
      maxInjections = 2)
  @InjectFault(
      name = "payments-slow",
      upstream = "payments",
      path = "/pay",
      delay = @Delay(fixedDelay = "200ms"))
  void requestsAreFilterableByUpstreamFaultPolicyPathAndMethod(HfiStack stack) {
    for (int i = 0; i < 3; i++) {
      get(stack.proxyUri("orders"), "/api/orders?try=" + i);
    }
    get(stack.proxyUri("orders"), "/health");
    get(stack.proxyUri("payments"), "/pay");

    assertThat(hfi.requests().count()).isEqualTo(5);
    assertThat(hfi.requests().to("orders").count()).isEqualTo(4);
    assertThat(hfi.requests().to("orders").faulted().count()).isEqualTo(2);
    assertThat(hfi.requests().to("orders").withPath("/api/orders").list())
        .extracting(JournaledRequest::status)
        .containsExactly(503, 503, 200);
    assertThat(hfi.requests().byPolicy("orders-down").withMethod("get").count()).isEqualTo(2);
    assertThat(hfi.requests().to("orders").notFaulted().withPathPrefix("/health")).hasSize(1);

    JournaledRequest pay = hfi.requests().to("payments").faulted().list().get(0);
    assertThat(pay.policy()).isEqualTo("payments-slow");
    assertThat(pay.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(stack.requests().list()).isEqualTo(hfi.requests().list());
  }

  @Test
  @Order(2)
  void eachTestSeesOnlyItsOwnRequests(HfiStack stack) {
    assertThat(hfi.requests()).isEmpty();
    get(stack.proxyUri("payments"), "/mine");
    assertThat(hfi.requests())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.upstream()).isEqualTo("payments");
              assertThat(r.path()).isEqualTo("/mine");
              assertThat(r.faulted()).isFalse();
              assertThat(r.status()).isEqualTo(200);
            });
  }

  @Test
  void outsideATestThereIsNothingToAskFor() {
    HfiExtension unused = HfiExtension.newInstance().withUpstream("x", orders::uri).build();
    assertThatThrownBy(unused::requests)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no test has started");
  }
}
