package dev.hfi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.junit.Delay;
import dev.hfi.junit.HfiExtension;
import dev.hfi.junit.InjectFault;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Example 2: a time budget with fallback keeps pages fast while pricing is 2 s slow. The client is
 * built outside the test, from the registered extension's {@code proxyUri}, as a WireMock user
 * builds one from {@code WireMockExtension.baseUrl()}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PriceClientIT {
  static final ShopServer shop = new ShopServer();

  @RegisterExtension
  static HfiExtension hfi = HfiExtension.newInstance().withUpstream("pricing", shop::uri).build();

  PriceClient prices;

  @BeforeEach
  void client() {
    prices = new PriceClient(hfi.proxyUri("pricing"), Duration.ofMillis(500));
  }

  @AfterEach
  void closeClient() {
    prices.close();
  }

  @AfterAll
  static void stop() {
    shop.close();
  }

  @Test
  void livePriceWhenPricingIsHealthy() {
    assertThat(prices.price("book"))
        .isEqualTo(new PriceClient.Price(new BigDecimal("12.50"), true));
  }

  @Test
  @InjectFault(upstream = "pricing", path = "/api/prices", delay = @Delay(fixedDelay = "2s"))
  void fallsBackWithinItsBudgetUnderA2sDelay() {
    long t0 = System.nanoTime();
    PriceClient.Price price = prices.price("book");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(price).isEqualTo(new PriceClient.Price(PriceClient.LIST_PRICE, false));
    assertThat(ms).isBetween(500L, 1_500L);
    assertThat(hfi.delays("pricing")).isEqualTo(1);
  }
}
