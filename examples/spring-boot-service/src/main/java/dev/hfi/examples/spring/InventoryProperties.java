package dev.hfi.examples.spring;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code inventory.*}: where the inventory service is and how patient to be with it.
 *
 * @param url the inventory service's base URL
 * @param timeout how long one call may take before the time limiter gives up on it
 * @param attempts how many times a failing call is tried (retry), 1 = no retry
 * @param retryWait the wait between attempts
 * @param breakerWindow how many recent calls the circuit breaker judges the failure rate on
 * @param breakerOpenFor how long an open circuit breaker refuses calls before trying again
 */
@ConfigurationProperties("inventory")
public record InventoryProperties(
    URI url,
    Duration timeout,
    int attempts,
    Duration retryWait,
    int breakerWindow,
    Duration breakerOpenFor) {}
