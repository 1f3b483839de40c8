package dev.hfi.controlplane.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BackoffTest {
  private static List<Long> pauses(Backoff b, int n) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(b.nextDelayMillis());
    }
    return out;
  }

  @Test
  void pausesDoubleFromTheInitialStepUpToTheCap() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0);

    assertThat(pauses(b, 7)).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L, 1000L);
  }

  @Test
  void aSuccessStartsAgainFromTheInitialStep() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0);
    pauses(b, 5);

    b.reset();

    assertThat(pauses(b, 2)).containsExactly(100L, 200L);
  }

  @Test
  void jitterDrawsEachPauseFromTheUpperHalfOfItsStep() {
    Random random = new Random(42);
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), random::nextDouble);
    long step = 100;
    List<Long> drawn = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      long pause = b.nextDelayMillis();
      assertThat(pause).isGreaterThan(step / 2).isLessThanOrEqualTo(step);
      drawn.add(pause);
      step = Math.min(10_000, step * 2);
    }
    assertThat(new HashSet<>(drawn.subList(20, 200)))
        .as("capped pauses still vary")
        .hasSizeGreaterThan(150);
  }

  @Test
  void theStandardBackoffStartsAtAHundredMillisecondsAndStaysWithinTenSeconds() {
    Backoff b = Backoff.standard();

    assertThat(b.nextDelayMillis()).isBetween(51L, 100L);
    assertThat(pauses(b, 30)).allSatisfy(p -> assertThat(p).isBetween(51L, 10_000L));
    assertThat(b.nextDelayMillis()).isBetween(5_001L, 10_000L);
  }

  @Test
  void stepsOutOfOrderAreRejected() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), () -> 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1ms <= initial <= max");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
