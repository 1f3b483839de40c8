package dev.hfi.filter.internal.core;

/**
 * Seedable pseudo-random numbers (xorshift64*): percentage sampling, backoff jitter, instance ids.
 * The filter seeds it from the host clock; tests seed it with a constant. Not thread-safe (one per
 * VM, and a VM is single-threaded).
 */
public final class Sampler {
  private long state;

  public Sampler(long seed) {
    // Spread the seed (SplitMix64 finaliser) so that nearby seeds give unrelated sequences.
    long z = seed + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    state = (z ^ (z >>> 31)) | 1;
  }

  public long nextLong() {
    state ^= state >>> 12;
    state ^= state << 25;
    state ^= state >>> 27;
    return state * 0x2545F4914F6CDD1DL;
  }

  /** Uniform in [0, bound). */
  public long nextLong(long bound) {
    return ((nextLong() >>> 1) % bound);
  }

  /** True with probability {@code perMillion / 1,000,000}; 0 and 1,000,000 draw nothing. */
  public boolean sample(int perMillion) {
    if (perMillion >= 1_000_000) {
      return true;
    }
    if (perMillion <= 0) {
      return false;
    }
    return nextLong(1_000_000) < perMillion;
  }
}
