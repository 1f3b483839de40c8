package dev.hfi.examples;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * Reads stock levels behind a resilience4j {@link CircuitBreaker}: when at least half of the last
 * {@code window} calls failed, the breaker opens and calls fail fast (no request leaves) for {@code
 * openFor}; then a few trial calls decide whether it closes again.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * StockClient stock = new StockClient(URI.create("http://inventory:8080"), 10, Duration.ofSeconds(30));
 * OptionalInt left = stock.stock("book");   // empty: unknown right now (failed or breaker open)
 * }</pre>
 */
public final class StockClient {
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final CircuitBreaker breaker;

  /** A client of the inventory service at {@code base}. */
  public StockClient(URI base, int window, Duration openFor) {
    this.base = base;
    this.breaker =
        CircuitBreaker.of(
            "inventory",
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(window)
                .minimumNumberOfCalls(window)
                .failureRateThreshold(50)
                .waitDurationInOpenState(openFor)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .permittedNumberOfCallsInHalfOpenState(3)
                .build());
  }

  /** Units of {@code sku} in stock, or empty when that cannot be known right now. */
  public OptionalInt stock(String sku) {
    try {
      return OptionalInt.of(breaker.executeCallable(() -> get(sku)));
    } catch (CallNotPermittedException | IOException open) {
      // Open breaker (no request left) or a failed call: the level is unknown right now.
      return OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.empty();
    } catch (Exception unexpected) {
      throw new IllegalStateException(unexpected);
    }
  }

  /** The breaker, for its state and events. */
  public CircuitBreaker breaker() {
    return breaker;
  }

  private int get(String sku) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("/api/stock/" + sku))
            .timeout(Duration.ofSeconds(5))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("inventory answered " + response.statusCode());
    }
    return Integer.parseInt(response.body().trim());
  }
}
