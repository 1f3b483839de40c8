package dev.hfi.controlplane.internal;

import dev.hfi.controlplane.ErrorCode;
import dev.hfi.controlplane.HfiException;
import dev.hfi.controlplane.StoreUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for jetcd calls with a deadline and turns every failure into a {@link
 * StoreUnavailableException} whose message names the etcd endpoints, the operation and what to do.
 */
public final class EtcdCalls {
  private final String endpoints;
  private final Duration timeout;

  /** Calls against {@code endpoints} (for messages), each bounded by {@code timeout}. */
  public EtcdCalls(String endpoints, Duration timeout) {
    this.endpoints = endpoints;
    this.timeout = timeout;
  }

  /** The result of a read, or {@link StoreUnavailableException}. */
  public <T> T call(String what, CompletableFuture<T> call) {
    return await(what, call, "");
  }

  /**
   * The result of a write, or {@link StoreUnavailableException}; a write that timed out may have
   * been applied, and the message says so.
   */
  public <T> T callWrite(String what, CompletableFuture<T> call) {
    return await(
        what, call, "; it may or may not have been applied: read the policy before retrying");
  }

  private <T> T await(String what, CompletableFuture<T> call, String timeoutNote) {
    try {
      return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new StoreUnavailableException(
          "etcd at "
              + endpoints
              + " did not answer within "
              + timeout.toMillis()
              + " ms while "
              + what
              + timeoutNote,
          e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new StoreUnavailableException(
          "etcd at "
              + endpoints
              + " is unavailable while "
              + what
              + ": "
              + cause.getMessage()
              + "; retry when /readyz reports ready",
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.cancel(true);
      throw new HfiException(ErrorCode.UNAVAILABLE, "interrupted while " + what, e);
    }
  }
}
