package dev.hfi.examples;

import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Reads prices from the pricing service within a time budget (resilience4j {@link TimeLimiter}): a
 * slow or failing answer is replaced by the last known price, or the list price when none is known,
 * so a page never waits longer than the budget for pricing. The late call is cancelled.
 *
 * <p>Thread-safe; {@link #close()} stops its timer thread.
 *
 * <pre>{@code
 * try (PriceClient prices = new PriceClient(URI.create("http://pricing:8080"), Duration.ofMillis(500))) {
 *   PriceClient.Price p = prices.price("book");   // p.live() tells live from fallback
 * }
 * }</pre>
 */
public final class PriceClient implements AutoCloseable {
  /** The price shown when the service has never answered for a SKU. */
  public static final BigDecimal LIST_PRICE = new BigDecimal("9.99");

  private final URI base;
  private final HttpClient http = HttpClient.newHttpClient();
  private final TimeLimiter limiter;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Map<String, BigDecimal> lastKnown = new ConcurrentHashMap<>();

  /** A price and whether it came from the service just now. */
  public record Price(BigDecimal amount, boolean live) {}

  /** A client of the pricing service at {@code base} that waits at most {@code budget}. */
  public PriceClient(URI base, Duration budget) {
    this.base = base;
    this.limiter =
        TimeLimiter.of(
            TimeLimiterConfig.custom().timeoutDuration(budget).cancelRunningFuture(true).build());
  }

  /** The price of {@code sku}: live within the budget, else the fallback. */
  public Price price(String sku) {
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/prices/" + sku)).build();
    try {
      BigDecimal live =
          limiter
              .executeCompletionStage(
                  timer,
                  () ->
                      http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                          .thenApply(PriceClient::amount))
              .toCompletableFuture()
              .join();
      lastKnown.put(sku, live);
      return new Price(live, true);
    } catch (RuntimeException timeoutOrFailure) {
      return new Price(lastKnown.getOrDefault(sku, LIST_PRICE), false);
    }
  }

  private static BigDecimal amount(HttpResponse<String> response) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException("pricing answered " + response.statusCode());
    }
    return new BigDecimal(response.body().trim());
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
