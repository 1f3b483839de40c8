package dev.hfi.wasmhost;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What the filter decided for a request's headers: {@link Proceed} upstream, {@link Respond}
 * locally (an injected abort), or {@link Paused} (an injected delay), which ends later in one of
 * the other two.
 */
public sealed interface Decision permits Decision.Proceed, Decision.Respond, Decision.Paused {

  /** A {@link Proceed} with no stream left open in a filter (its methods do nothing). */
  static Proceed proceed() {
    return new Proceed();
  }

  /**
   * Forward the request upstream. The filter's stream stays open until the proxy reports the
   * response headers ({@link #responseHeaders}) or that none will come ({@link #end}); one of the
   * two must be called, once (later calls do nothing). Thread-safe.
   */
  final class Proceed implements Decision {
    /** The filter's response side of one proceeded stream. */
    interface Stream {
      void responseHeaders(int status, List<Map.Entry<String, String>> headers);

      void end();
    }

    private static final Stream NONE =
        new Stream() {
          @Override
          public void responseHeaders(int status, List<Map.Entry<String, String>> headers) {}

          @Override
          public void end() {}
        };

    private final Stream stream;
    private final AtomicBoolean ended = new AtomicBoolean();

    /** A decision with no stream left open in the filter. */
    Proceed() {
      this(NONE);
    }

    Proceed(Stream stream) {
      this.stream = stream;
    }

    /**
     * The response's status and headers (lower-case names), as the proxy is about to send them to
     * the client (the upstream's, or the proxy's own answer when the upstream failed): runs the
     * filter's {@code on_response_headers}, then ends its stream.
     */
    public void responseHeaders(int status, List<Map.Entry<String, String>> headers) {
      if (ended.compareAndSet(false, true)) {
        stream.responseHeaders(status, headers);
      }
    }

    /** No response will come (the client or the upstream went away): ends the filter's stream. */
    public void end() {
      if (ended.compareAndSet(false, true)) {
        stream.end();
      }
    }
  }

  /**
   * Answer locally: status, headers, body; {@code grpcStatus} is -1 unless the filter answered with
   * a gRPC status (Envoy makes that a trailers-only {@code 200}).
   */
  record Respond(int status, List<Map.Entry<String, String>> headers, byte[] body, int grpcStatus)
      implements Decision {}

  /**
   * The filter paused the request; it resumes later, from one of the VM's threads, with a {@link
   * Proceed} or a {@link Respond}. Thread-safe.
   */
  final class Paused implements Decision {
    private final Runnable abandon;
    private Consumer<Decision> listener;
    private Decision outcome;

    Paused(Runnable abandon) {
      this.abandon = abandon;
    }

    /**
     * Calls {@code listener} once with the final decision: on a VM thread when the filter lets the
     * request go, at once on this thread if it already has. Closing the VM lets every paused
     * request {@link Proceed}.
     */
    public void whenResumed(Consumer<Decision> listener) {
      Decision known;
      synchronized (this) {
        known = outcome;
        if (known == null) {
          this.listener = listener;
        }
      }
      if (known != null) {
        listener.accept(known);
      }
    }

    /** The client went away: ends the stream in the filter, which forgets the delay. */
    public void abandon() {
      abandon.run();
    }

    void complete(Decision decision) {
      Consumer<Decision> l;
      synchronized (this) {
        outcome = decision;
        l = listener;
      }
      if (l != null) {
        l.accept(decision);
      }
    }
  }
}
