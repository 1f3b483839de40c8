package dev.hfi.filter.internal.core;

/**
 * Exponential backoff for the control-plane poll: 100 ms doubling up to a cap (the plugin
 * configuration's {@code maxBackoffMs}, default {@link #DEFAULT_MAX_MS}), each wait drawn uniformly
 * from [base/2, base] so that the workers of many proxies do not poll in lockstep; {@link #reset}
 * after a success. The cap bounds how long a data plane stays blind once the control plane is back
 * after an outage of any length. Not thread-safe.
 */
public final class Backoff {
  public static final long INITIAL_MS = 100;
  public static final long DEFAULT_MAX_MS = 4000;

  private final Sampler random;
  private final long maxMs;
  private long base = INITIAL_MS;

  public Backoff(Sampler random, long maxMs) {
    this.random = random;
    this.maxMs = maxMs;
  }

  /** The wait before the next attempt after a failure; doubles the base for the one after. */
  public long nextDelayMs() {
    long b = Math.min(maxMs, base);
    base = Math.min(maxMs, base * 2);
    long half = b / 2;
    return half + random.nextLong(b - half + 1);
  }

  public void reset() {
    base = INITIAL_MS;
  }
}
