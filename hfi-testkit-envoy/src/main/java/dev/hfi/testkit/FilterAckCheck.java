package dev.hfi.testkit;

import java.time.Duration;
import java.util.Set;

/**
 * Asks the control plane whether the HFI filters of some data-plane nodes have applied its current
 * rule set. {@link EnvoyContainer} calls it once Envoy's admin reports {@code LIVE}, so that a
 * started container already enforces every policy that existed when it started.
 *
 * <p>Contract: block until, for every node in {@code nodes}, at least one filter instance has
 * reported to the control plane and every live instance of that node has ACKed the control plane's
 * current rule-set version; return {@code true} then, or {@code false} once {@code timeout} has
 * passed. Implementations should wait for the control plane's events (its SSE stream) rather than
 * poll, and must be safe to call from any thread.
 *
 * <p>An implementation backed by the control plane's Java client waits on its ACK events; a data
 * plane used without a control plane opts out explicitly:
 *
 * <pre>{@code
 * FilterAckCheck none = (nodes, timeout) -> true;
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
