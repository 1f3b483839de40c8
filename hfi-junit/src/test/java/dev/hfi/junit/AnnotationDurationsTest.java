package dev.hfi.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.junit.internal.FaultAnnotations;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** The annotations' durations read the grammar of {@code dev.hfi.client.Durations}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AnnotationDurationsTest {

  @Test
  void ackTimeoutTakesCompoundAndDecimalDurations() {
    assertThat(HfiExtension.parseDuration("1m30s", "@HfiTest on X"))
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(HfiExtension.parseDuration("2.5s", "@HfiTest on X"))
        .isEqualTo(Duration.ofMillis(2500));
    assertThatThrownBy(() -> HfiExtension.parseDuration("0s", "@HfiTest on X"))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("@HfiTest on X: ackTimeout: must be positive");
    assertThatThrownBy(() -> HfiExtension.parseDuration("PT10S", "@HfiTest on X"))
        .hasMessage("@HfiTest on X: ackTimeout: \"PT10S\" is ISO-8601; write it as 10s");
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
