package dev.hfi.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyCodec;
import dev.hfi.client.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LimitsTest {
  @Test
  void ordinaryRegexesHaveSmallProgramsAndAreAdmitted() {
    assertThat(Limits.regexProgramSize("^/api/v[0-9]+/orders/[a-f0-9-]{36}$")).isEqualTo(56);
    assertThat(Limits.regexProgramSize("(GET|POST|PUT)")).isEqualTo(15);
    assertThat(Limits.regex("spec.match.path.regex", "/api/(orders|payments)/.*")).isNull();
    assertThat(Limits.regex("f", "a{998}")).isNull();
    assertThat(Limits.regexProgramSize("a{998}")).isEqualTo(Limits.MAX_REGEX_PROGRAM_SIZE);
  }

  @Test
  void theProgramSizeIsMeasuredNotThePatternLength() {
    assertThat(Limits.regex("spec.match.path.regex", "a{999}"))
        .isEqualTo(
            "spec.match.path.regex: \"a{999}\" compiles to an RE2 program of 1001 instructions,"
                + " above the limit of 1000; large counted repetitions such as x{1000} or nested"
                + " ones multiply the size, use a smaller count, * or +");
  }

  @Test
  void aNestedRepetitionIsRefusedFromItsEstimateWithoutCompilingIt() {
    long start = System.nanoTime();
    String error = Limits.regex("spec.match.path.regex", "((((a{100}){100}){100}){100}){100}");
    assertThat(error)
        .startsWith(
            "spec.match.path.regex: \"((((a{100}){100}){100}){100}){100}\" compiles to an RE2"
                + " program of about ")
        .contains("above the limit of 1000");
    // Compiling it would take minutes and gigabytes; the estimate takes microseconds.
    assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
  }

  @Test
  void theIssuesRegexIsRejectedThroughTheCodecNamingTheFieldAndTheLimit() {
    String yaml =
        TestPolicies.yaml("a", 503)
            .replace("path: {prefix: /api/a}", "path: {regex: \"((a{100}){100}){100}\"}");
    assertThatThrownBy(() -> PolicyCodec.parse(yaml, PolicyCodec.Format.YAML))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("spec.match.path.regex: \"((a{100}){100}){100}\" compiles to an RE2")
        .hasMessageContaining("above the limit of 1000");
  }

  @Test
  void anInvalidRegexStillSaysSo() {
    assertThat(Limits.regex("spec.match.method.regex", "("))
        .startsWith(
            "spec.match.method.regex: not a valid RE2 regular expression: missing closing )");
  }

  @Test
  void abortBodiesAreCountedInUtf8Bytes() {
    assertThat(Limits.abortBody("spec.fault.abort.body", "b".repeat(65_536))).isNull();
    assertThat(Limits.abortBody("spec.fault.abort.body", "\u20ac".repeat(21_846)))
        .isEqualTo("spec.fault.abort.body: 65538 bytes (UTF-8) is above the limit of 65536 bytes");
  }

  @Test
  void ruleSetLimitsNameThePolicyTheFieldAndTheLimit() {
    assertThat(Limits.ruleSet("p", 10, Limits.MAX_RULE_SET_BYTES, 500_000, 10)).isEmpty();
    assertThat(Limits.ruleSet("p", 11, 1, 1, 10))
        .containsExactly(
            "metadata.name: creating policy \"p\" would make 11 policies, above the control"
                + " plane's limit of 10 (--max-policies, HFI_MAX_POLICIES); delete policies"
                + " first");
    assertThat(Limits.ruleSet("p", 1, Limits.MAX_RULE_SET_BYTES + 1, 1, 10))
        .singleElement()
        .asString()
        .startsWith("spec: with policy \"p\" the compiled rule set would be 4194305 bytes,")
        .contains("above the limit of 4194304 bytes");
    assertThat(Limits.ruleSet("p", 1, 1, 500_001, 10))
        .singleElement()
        .asString()
        .contains("500001 RE2 instructions in total, above the limit of 500000");
  }
}
