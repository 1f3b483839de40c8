package dev.hfi.examples;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Places orders with the orders service, retrying server errors and connection failures with
 * resilience4j's {@link Retry}: {@code maxAttempts} calls in all, exponential backoff from 20 ms. A
 * 4xx is the caller's fault and is not retried.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * OrdersClient orders = new OrdersClient(URI.create("http://orders:8080"), 3);
 * String order = orders.placeOrder("{\"sku\":\"book\"}");
 * }</pre>
 */
public final class OrdersClient {
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Retry retry;

  /**
   * A client of the orders service at {@code base} that makes at most {@code maxAttempts} calls.
   */
  public OrdersClient(URI base, int maxAttempts) {
    this.base = base;
    this.retry =
        Retry.of(
            "orders",
            RetryConfig.custom()
                .maxAttempts(maxAttempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(20), 2))
                .retryExceptions(ServerError.class, IOException.class)
                .build());
  }

  /**
   * {@code POST /api/orders}; the created order as the service returns it.
   *
   * @throws OrdersUnavailableException when every attempt failed, with the last failure as cause
   */
  public String placeOrder(String order) {
    try {
      return retry.executeCallable(() -> post(order));
    } catch (ServerError | IOException e) {
      throw new OrdersUnavailableException(
          "orders service failed " + retry.getRetryConfig().getMaxAttempts() + " times", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OrdersUnavailableException("interrupted", e);
    } catch (Exception e) {
      throw new OrdersUnavailableException(e.getMessage(), e);
    }
  }

  /** The retry, for its metrics (attempts, successes after retry, failures). */
  public Retry retry() {
    return retry;
  }

  private String post(String order) throws IOException, InterruptedException, ServerError {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("/api/orders"))
            .timeout(Duration.ofSeconds(5))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(order))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 500) {
      throw new ServerError(response.statusCode());
    }
    if (response.statusCode() >= 400) {
      throw new OrdersUnavailableException(
          "orders service refused the order: " + response.statusCode() + " " + response.body(),
          null);
    }
    return response.body();
  }

  /** A 5xx answer: worth retrying. */
  static final class ServerError extends Exception {
    private static final long serialVersionUID = 1L;

    ServerError(int status) {
      super("HTTP " + status);
    }
  }

  /** The order could not be placed. */
  public static final class OrdersUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OrdersUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
