package dev.hfi.store.etcd.internal;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import dev.hfi.client.StoreUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Waits for jetcd calls with a deadline and turns every failure into a {@link
 * StoreUnavailableException} whose message names the etcd endpoints, the operation and what to do.
 */
public final class EtcdCalls {
  /**
   * Until etcd has answered once, calls may take longer: a cold JVM loads gRPC, netty and vertx and
   * connects within the first call, which takes seconds on a busy machine.
   */
  private static final Duration FIRST_CALL_TIMEOUT = Duration.ofSeconds(20);

  private final String endpoints;
  private final Duration timeout;
  private final EtcdReconnect reconnect;
  private volatile boolean failing;
  private volatile boolean answered;

  /**
   * Calls against {@code endpoints} (for messages), each bounded by {@code timeout}, reconnecting
   * through {@code reconnect} after a failure.
   */
  public EtcdCalls(String endpoints, Duration timeout, EtcdReconnect reconnect) {
    this.endpoints = endpoints;
    this.timeout = timeout;
    this.reconnect = reconnect;
  }

  /**
   * The result of a read, or {@link StoreUnavailableException}. A call that fails at once because
   * the channel is between reconnects is sent once more after asking it to reconnect now.
   */
  public <T> T call(String what, Supplier<CompletableFuture<T>> call) {
    reconnectIfFailing();
    try {
      return await(what, call.get(), "");
    } catch (StoreUnavailableException e) {
      if (e.getCause() instanceof TimeoutException || !reconnect.awaitReady(timeout)) {
        throw e;
      }
      return await(what, call.get(), "");
    }
  }

  /**
   * The result of a write, or {@link StoreUnavailableException}; a write that timed out may have
   * been applied, and the message says so.
   */
  public <T> T callWrite(String what, Supplier<CompletableFuture<T>> call) {
    reconnectIfFailing();
    return await(
        what, call.get(), "; it may or may not have been applied: read the policy before retrying");
  }

  /**
   * After a failure the channel waits out gRPC's growing backoff before it connects again; a new
   * call makes it connect now and waits for the outcome (milliseconds: a refused connection fails
   * at once), so a call made once etcd is back succeeds and one made while it is down fails fast.
   */
  private void reconnectIfFailing() {
    if (failing) {
      reconnect.awaitReady(timeout);
    }
  }

  private <T> T await(String what, CompletableFuture<T> call, String timeoutNote) {
    Duration limit = answered ? timeout : FIRST_CALL_TIMEOUT;
    try {
      T result = call.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      failing = false;
      answered = true;
      return result;
    } catch (TimeoutException e) {
      call.cancel(true);
      failing = true;
      reconnect.run();
      throw new StoreUnavailableException(
          "etcd at "
              + endpoints
              + " did not answer within "
              + limit.toMillis()
              + " ms while "
              + what
              + timeoutNote,
          e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      failing = true;
      reconnect.run();
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
