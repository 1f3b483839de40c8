package dev.hfi.filter.core;

/**
 * Exponential backoff for the control-plane poll: 100 ms doubling to 5 min, each wait drawn
 * uniformly from [base/2, base] so that the workers of many proxies do not poll in lockstep; {@link
 * #reset} after a success. Not thread-safe.
 */
public final class Backoff {
  public static final long INITIAL_MS = 100;
  public static final long MAX_MS = 5 * 60 * 1000;

  private final Sampler random;
  private long base = INITIAL_MS;

  public Backoff(Sampler random) {
    this.random = random;
  }

  /** The wait before the next attempt after a failure; doubles the base for the one after. */
  public long nextDelayMs() {
    long b = base;
    base = Math.min(MAX_MS, base * 2);
    long half = b / 2;
    return half + random.nextLong(b - half + 1);
  }

  public void reset() {
    base = INITIAL_MS;
  }
}
