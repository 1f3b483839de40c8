package dev.hfi.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.PolicyCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Table layout, ages and the one-word summaries of the policy table. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OutputTest {
  @ParameterizedTest
  @CsvSource({
    "0, 0s",
    "119, 119s",
    "120, 2m",
    "200, 3m20s",
    "660, 11m",
    "10800, 3h",
    "11100, 3h5m",
    "36000, 10h",
    "183600, 2d3h",
    "864000, 10d",
    "63072000, 2y",
    "-5, 0s"
  })
  void agesReadLikeKubectl(long seconds, String expected) {
    assertThat(Output.humanDuration(Duration.ofSeconds(seconds))).isEqualTo(expected);
  }

  @Test
  void ageOfAMissingOrBadTimestampIsUnknown() {
    assertThat(Output.age(null, Instant.now())).isEqualTo("<unknown>");
    assertThat(Output.age("yesterday", Instant.now())).isEqualTo("<unknown>");
    assertThat(Output.age("2026-01-01T00:00:00Z", Instant.parse("2026-01-01T00:00:42Z")))
        .isEqualTo("42s");
  }

  @Test
  void tableColumnsAreAlignedThreeSpacesApartWithoutTrailingBlanks() {
    StringWriter s = new StringWriter();
    Output.table(
        new PrintWriter(s),
        List.of("NAME", "AGE"),
        List.of(List.of("a-rather-long-name", "5s"), List.of("b", "10m")));
    assertThat(s.toString().lines())
        .containsExactly(
            "NAME                 AGE", "a-rather-long-name   5s", "b                    10m");
  }

  @Test
  void summariesNameEveryMatcherAndFault() {
    FaultInjectionPolicy p =
        PolicyCodec.parse(
            """
            apiVersion: hfi.dev/v1alpha1
            kind: FaultInjectionPolicy
            metadata: {name: full, creationTimestamp: "2026-01-01T00:00:00Z"}
            spec:
              priority: 7
              target: {nodes: [a, b]}
              match:
                method: {exact: POST}
                path: {prefix: /api}
                headers:
                  - {name: x-user, exact: test}
                  - {name: x-tier, prefix: gold}
                  - {name: x-id, regex: "[0-9]+"}
                  - {name: x-canary, present: true}
              fault:
                percentage: 12.50
                delay: {fixedDelay: 2s}
                abort: {httpStatus: 503}
                maxInjections: 3
            """,
            PolicyCodec.Format.YAML);
    assertThat(PolicySummary.row(p, Instant.parse("2026-01-01T00:05:00Z")))
        .containsExactly(
            "full",
            "7",
            "a,b",
            "POST /api* x-user=test x-tier=gold* x-id~[0-9]+ x-canary",
            "delay 2s+abort 503 12.5% max 3",
            "5m");
  }

  @Test
  void emptyMatchAndTargetAreSpelledOut() {
    FaultInjectionPolicy p =
        PolicyCodec.parse(
            """
            apiVersion: hfi.dev/v1alpha1
            kind: FaultInjectionPolicy
            metadata: {name: all}
            spec:
              match: {path: {regex: "^/v[12]/.*"}}
              fault: {abort: {grpcStatus: 14}}
            """,
            PolicyCodec.Format.YAML);
    assertThat(PolicySummary.row(p, Instant.now()))
        .containsExactly("all", "0", "<all>", "~^/v[12]/.*", "abort grpc 14", "<unknown>");
    assertThat(PolicySummary.match(null)).isEqualTo("<any>");
  }
}
