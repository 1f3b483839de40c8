package dev.hfi.examples.spring;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/** The inventory client's HTTP client and its three Resilience4j guards, from {@code inventory.*}. */
@Configuration
@EnableConfigurationProperties(InventoryProperties.class)
class InventoryConfiguration {

  @Bean
  RestClient inventoryRestClient(InventoryProperties inventory) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(inventory.timeout()).build();
    JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(http);
    requests.setReadTimeout(inventory.timeout());
    return RestClient.builder()
        .baseUrl(inventory.url().toString())
        .requestFactory(requests)
        .build();
  }

  /** Tries a call again on a 5xx or a broken connection; never on a timeout or an open breaker. */
  @Bean
  Retry inventoryRetry(InventoryProperties inventory) {
    return Retry.of(
        "inventory",
        RetryConfig.custom()
            .maxAttempts(inventory.attempts())
            .waitDuration(inventory.retryWait())
            .retryExceptions(HttpServerErrorException.class, ResourceAccessException.class)
            .ignoreExceptions(CallNotPermittedException.class)
            .build());
  }

  /** Gives up on a call that takes longer than {@code inventory.timeout}. */
  @Bean
  TimeLimiter inventoryTimeLimiter(InventoryProperties inventory) {
    return TimeLimiter.of(
        "inventory",
        TimeLimiterConfig.custom()
            .timeoutDuration(inventory.timeout())
            .cancelRunningFuture(true)
            .build());
  }

  /**
   * Opens when half of the last {@code inventory.breaker-window} calls failed, then refuses calls
   * (the inventory service is left alone to recover) for {@code inventory.breaker-open-for}.
   */
  @Bean
  CircuitBreaker inventoryCircuitBreaker(InventoryProperties inventory) {
    return CircuitBreaker.of(
        "inventory",
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(inventory.breakerWindow())
            .minimumNumberOfCalls(inventory.breakerWindow())
            .failureRateThreshold(50)
            .waitDurationInOpenState(inventory.breakerOpenFor())
            .build());
  }

  /** Runs the calls the time limiter watches. */
  @Bean(destroyMethod = "shutdownNow")
  ExecutorService inventoryCalls() {
    return Executors.newCachedThreadPool();
  }
}
