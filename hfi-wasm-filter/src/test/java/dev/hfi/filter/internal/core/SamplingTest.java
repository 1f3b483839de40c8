package dev.hfi.filter.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SamplingTest {
  private static final int DRAWS = 1_000_000;

  /**
   * With a fixed seed the outcome is deterministic; the bound is 5 standard deviations of a
   * binomial, so a correct sampler passes for any seed with overwhelming probability, while a
   * biased one (e.g. off by 1 % absolute) fails.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 100, 10_000, 250_000, 500_000, 999_000})
  void injectsAtTheConfiguredRatePerMillion(int perMillion) {
    Sampler sampler = new Sampler(42);
    long hits = 0;
    for (int i = 0; i < DRAWS; i++) {
      if (sampler.sample(perMillion)) {
        hits++;
      }
    }
    double p = perMillion / 1_000_000.0;
    double expected = DRAWS * p;
    double sigma = Math.sqrt(DRAWS * p * (1 - p));
    assertThat((double) hits).isBetween(expected - 5 * sigma - 1, expected + 5 * sigma + 1);
  }

  @Test
  void extremesNeedNoRandomness() {
    Sampler sampler = new Sampler(7);
    for (int i = 0; i < 10_000; i++) {
      assertThat(sampler.sample(0)).isFalse();
      assertThat(sampler.sample(1_000_000)).isTrue();
    }
  }

  @Test
  void sameSeedSameSequenceDifferentSeedDifferent() {
    Sampler a = new Sampler(1);
    Sampler b = new Sampler(1);
    Sampler c = new Sampler(2);
    long[] x = {a.nextLong(), a.nextLong()};
    assertThat(new long[] {b.nextLong(), b.nextLong()}).isEqualTo(x);
    assertThat(new long[] {c.nextLong(), c.nextLong()}).isNotEqualTo(x);
  }
}
