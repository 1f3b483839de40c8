package dev.hfi.testkit;

import java.time.Duration;
import java.util.Set;

/**
 * Asks the control plane whether the HFI filters of some data-plane nodes have applied its current
 * rule set. {@code EnvoyContainer} (hfi-testcontainers) calls it once Envoy's admin reports {@code
 * LIVE}, so that a started container already enforces every policy that existed when it started.
 *
 * <p>Contract: block until the filters of every node in {@code nodes} (however many instances that
 * node has, e.g. one per Envoy worker) have ACKed the control plane's current rule-set version;
 * return {@code true} then, or {@code false} once {@code timeout} has passed; throw an unchecked
 * exception when waiting cannot succeed (e.g. a filter rejected the rule set), which fails the
 * container's start with it. Implementations should wait for the control plane's events (its SSE
 * stream) rather than poll, and must be safe to call from any thread.
 *
 * <p>{@code EnvoyContainer.withControlPlane(HfiClient)} (hfi-testcontainers) brings one built on
 * the control plane's Java client; implement this interface for anything else, or opt out
 * explicitly to be ready as soon as Envoy is LIVE:
 *
 * <pre>{@code
 * envoy.withControlPlane(URI.create("http://127.0.0.1:8080"), (nodes, timeout) -> true);
 * }</pre>
 */
@FunctionalInterface
public interface FilterAckCheck {

  /**
   * @return {@code true} when every node's filters have ACKed the current rule set, {@code false}
   *     when {@code timeout} ran out first
   */
  boolean awaitAcked(Set<String> nodes, Duration timeout) throws InterruptedException;
}
