package dev.hfi.controlplane.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter for a retry loop. The step starts at {@code initial} and doubles
 * with every consecutive failure up to {@code max}; each pause is drawn from {@code (step/2,
 * step]}, so that replicas that lost the same backend do not all come back at the same instant. A
 * success starts again from {@code initial}.
 *
 * <p>Not thread-safe: one per loop, used under that loop's lock.
 */
public final class Backoff {
  private final long initialMs;
  private final long maxMs;
  private final DoubleSupplier random;
  private long stepMs;

  /**
   * A backoff from {@code initial} doubling up to {@code max}.
   *
   * @param random uniform in [0, 1): where in the upper half of the step a pause falls; one that
   *     always answers 0 puts every pause at the end of its step (plain doubling, no jitter)
   */
  public Backoff(Duration initial, Duration max, DoubleSupplier random) {
    if (initial.toMillis() < 1 || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 1ms <= initial <= max, got " + initial + " and " + max);
    }
    this.initialMs = initial.toMillis();
    this.maxMs = max.toMillis();
    this.random = random;
    this.stepMs = initialMs;
  }

  /** 100 ms doubling up to 10 s, with random jitter. */
  public static Backoff standard() {
    return new Backoff(
        Duration.ofMillis(100),
        Duration.ofSeconds(10),
        () -> ThreadLocalRandom.current().nextDouble());
  }

  /** The pause before the next attempt, after one more failure. */
  public long nextDelayMillis() {
    long step = stepMs;
    stepMs = Math.min(maxMs, step * 2);
    return step - (long) (step / 2 * random.getAsDouble());
  }

  /** The last attempt succeeded: the next failure pauses {@code initial} again. */
  public void reset() {
    stepMs = initialMs;
  }
}
