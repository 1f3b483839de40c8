package dev.hfi.examples.spring;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * Asks the inventory service ({@code GET /api/stock/{sku}}) for a product's stock, guarded from
 * the outside in by a retry, a circuit breaker and a time limiter. When all of them give up, it
 * falls back to the last answer it had for that product, or to "unknown": a failing inventory
 * never fails the product service.
 */
@Component
public class InventoryClient {
  private static final Logger log = LoggerFactory.getLogger(InventoryClient.class);

  private final RestClient inventory;
  private final Retry retry;
  private final CircuitBreaker breaker;
  private final TimeLimiter timeLimiter;
  private final ExecutorService calls;
  private final Map<String, Stock> lastKnown = new ConcurrentHashMap<>();

  InventoryClient(
      RestClient inventoryRestClient,
      Retry inventoryRetry,
      CircuitBreaker inventoryCircuitBreaker,
      TimeLimiter inventoryTimeLimiter,
      ExecutorService inventoryCalls) {
    this.inventory = inventoryRestClient;
    this.retry = inventoryRetry;
    this.breaker = inventoryCircuitBreaker;
    this.timeLimiter = inventoryTimeLimiter;
    this.calls = inventoryCalls;
  }

  /** The product's stock: fresh from the inventory service, else the last known, else unknown. */
  public Stock stock(String sku) {
    Callable<Stock> limited =
        TimeLimiter.decorateFutureSupplier(
            timeLimiter, () -> CompletableFuture.supplyAsync(() -> fetch(sku), calls));
    Callable<Stock> guarded =
        Retry.decorateCallable(retry, CircuitBreaker.decorateCallable(breaker, limited));
    try {
      Stock fresh = guarded.call();
      lastKnown.put(sku, fresh);
      return fresh;
    } catch (Exception e) {
      log.warn("inventory failed for {} ({}); answering from the fallback", sku, e.toString());
      Stock last = lastKnown.get(sku);
      return last != null ? last.cached() : Stock.unknown(sku);
    }
  }

  private Stock fetch(String sku) {
    InventoryAnswer answer =
        inventory.get().uri("/api/stock/{sku}", sku).retrieve().body(InventoryAnswer.class);
    return Stock.fresh(sku, answer.available());
  }

  /** The inventory service's answer. */
  record InventoryAnswer(String sku, int available) {}
}
