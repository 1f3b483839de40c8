package dev.hfi.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.junit.internal.FaultAnnotations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The annotations' durations read the grammar of {@code dev.hfi.client.Durations}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AnnotationDurationsTest {

  @Test
  void ackTimeoutTakesCompoundAndDecimalDurations() {
    List<String> problems = new ArrayList<>();
    assertThat(HfiExtension.ackTimeout("1m30s", problems)).isEqualTo(Duration.ofSeconds(90));
    assertThat(HfiExtension.ackTimeout("2.5s", problems)).isEqualTo(Duration.ofMillis(2500));
    assertThat(problems).isEmpty();
    assertThat(HfiExtension.ackTimeout("0s", problems)).isNull();
    assertThat(HfiExtension.ackTimeout("PT10S", problems)).isNull();
    assertThat(problems)
        .containsExactly(
            "ackTimeout: must be positive", "ackTimeout: \"PT10S\" is ISO-8601; write it as 10s");
  }

  @InjectFault(path = "/api", delay = @Delay(fixedDelay = "1m30s"), duration = "1m30s")
  void compound() {}

  @Test
  void injectFaultDelayAndDurationTakeCompoundDurations() throws Exception {
    InjectFault a =
        AnnotationDurationsTest.class
            .getDeclaredMethod("compound")
            .getAnnotation(InjectFault.class);

    FaultInjectionPolicy p =
        FaultAnnotations.toPolicy(
            a,
            "AnnotationDurationsTest.compound()",
            "compound",
            Set.of(),
            getClass().getClassLoader());

    assertThat(p.spec().fault().delay().fixedDelay()).isEqualTo("1m30s");
    assertThat(p.spec().duration()).isEqualTo("1m30s");
  }
}
