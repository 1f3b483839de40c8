package dev.hfi.testcontainers.internal;

import dev.hfi.testkit.EnvoyConfig;
import dev.hfi.testkit.FilterAckCheck;
import dev.hfi.testkit.internal.EnvoyAdmin;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.rnorth.ducttape.TimeoutException;
import org.rnorth.ducttape.ratelimits.RateLimiter;
import org.rnorth.ducttape.ratelimits.RateLimiterBuilder;
import org.rnorth.ducttape.unreliables.Unreliables;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * Envoy with the HFI filter is ready in two steps, within one startup timeout: first Envoy's admin
 * {@code GET /ready} answers 200 {@code LIVE} (listeners and clusters initialised), then the {@link
 * FilterAckCheck} reports that the filters of the given nodes have ACKed the control plane's
 * current rule set. Envoy publishes no readiness event, so the first step polls at most ten times a
 * second, as Testcontainers' own HTTP wait strategy does; the second waits on the check.
 */
public final class EnvoyWaitStrategy extends AbstractWaitStrategy {

  private static final RateLimiter RATE =
      RateLimiterBuilder.newBuilder()
          .withRate(10, TimeUnit.SECONDS)
          .withConstantThroughput()
          .build();

  private final Supplier<URI> adminUri;
  private final Supplier<FilterAckCheck> ackCheck;
  private final Supplier<Set<String>> nodes;
  private final Supplier<String> controlPlane;

  /**
   * The suppliers are read when waiting starts, once the container is configured and its ports
   * mapped; {@code controlPlane} only names the control plane in error messages.
   */
  public EnvoyWaitStrategy(
      Supplier<URI> adminUri,
      Supplier<FilterAckCheck> ackCheck,
      Supplier<Set<String>> nodes,
      Supplier<String> controlPlane) {
    this.adminUri = adminUri;
    this.ackCheck = ackCheck;
    this.nodes = nodes;
    this.controlPlane = controlPlane;
  }

  @Override
  protected void waitUntilReady() {
    long deadline = System.nanoTime() + startupTimeout.toNanos();
    awaitLive(new EnvoyAdmin(adminUri.get()));
    awaitAcked(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  private void awaitLive(EnvoyAdmin admin) {
    AtomicReference<String> last = new AtomicReference<>("no answer");
    try {
      Unreliables.retryUntilTrue(
          (int) startupTimeout.toMillis(),
          TimeUnit.MILLISECONDS,
          () -> RATE.getWhenReady(() -> isLive(admin, last)));
    } catch (TimeoutException e) {
      throw new ContainerLaunchException(
          "Envoy did not become ready within "
              + startupTimeout.toMillis()
              + " ms: GET "
              + admin.uri().resolve("/ready")
              + " last answered "
              + last.get()
              + "; see the container log for configuration errors");
    }
  }

  private static boolean isLive(EnvoyAdmin admin, AtomicReference<String> last)
      throws InterruptedException {
    EnvoyAdmin.Readiness readiness = admin.readiness();
    last.set(readiness.answer());
    return readiness.live();
  }

  private void awaitAcked(Duration timeout) {
    Set<String> waitingFor = nodes.get();
    boolean acked;
    try {
      acked = ackCheck.get().awaitAcked(waitingFor, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerLaunchException("interrupted while waiting for the HFI filter's ACK", e);
    }
    if (!acked) {
      throw new ContainerLaunchException(
          "Envoy is LIVE but the HFI filter of node(s) "
              + waitingFor
              + " did not ACK the control plane's current rule set within "
              + startupTimeout.toMillis()
              + " ms; check that Envoy reaches the control plane at "
              + controlPlane.get()
              + " (cluster "
              + EnvoyConfig.CONTROL_PLANE_CLUSTER
              + ", see the container log) and what GET /v1/nodes"
              + " reports for those nodes");
    }
  }
}
