package dev.hfi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PolicyCodecTest {
  private static final String DESIGN_EXAMPLE =
      """
      apiVersion: hfi.dev/v1alpha1
      kind: FaultInjectionPolicy
      metadata:
        name: orders-unavailable        # required; DNS-1123 label (a-z0-9-, <=63)
        labels: {team: payments}        # optional
        resourceVersion: "12"           # set by the server; a PUT with a stale one gets 409
      spec:
        priority: 10                    # optional, default 0; higher is tried first, ties by name
        target: {nodes: [orders-proxy]} # optional; empty = every data plane
        match:                          # every present condition must hold (AND); absent = any
          path:   {prefix: /api/orders} # exactly one of exact | prefix | regex
          method: {exact: POST}
          headers:
            - {name: x-user, exact: test}   # exact | prefix | regex | present: true
        fault:
          percentage: 50                # 0..100, decimals allowed (precision 1e-4 %, i.e. per million)
          abort: {httpStatus: 503, body: "injected", headers: {retry-after: "1"}}   # or grpcStatus: 14
          delay: {fixedDelay: 2s}       # 1ms..1h; with abort too: wait, then abort (Envoy's order)
          maxInjections: 2              # optional: inject at most N times, then pass through
        duration: 10m                   # optional: the policy expires by itself
      """;

  @Test
  void readsTheDesignExampleVerbatim() {
    FaultInjectionPolicy p = PolicyCodec.parse(DESIGN_EXAMPLE, PolicyCodec.Format.YAML);
    assertThat(p.name()).isEqualTo("orders-unavailable");
    assertThat(p.metadata().labels()).containsEntry("team", "payments");
    assertThat(p.metadata().resourceVersion()).isEqualTo("12");
    assertThat(p.spec().priority()).isEqualTo(10);
    assertThat(p.spec().target().nodes()).containsExactly("orders-proxy");
    assertThat(p.spec().match().path().prefix()).isEqualTo("/api/orders");
    assertThat(p.spec().match().method().exact()).isEqualTo("POST");
    assertThat(p.spec().match().headers().get(0).exact()).isEqualTo("test");
    assertThat(p.spec().fault().percentage()).isEqualByComparingTo(BigDecimal.valueOf(50));
    assertThat(p.spec().fault().abort().headers()).containsEntry("retry-after", "1");
    assertThat(p.spec().fault().delay().fixedDelay()).isEqualTo("2s");
    assertThat(p.spec().fault().maxInjections()).isEqualTo(2);
    assertThat(p.spec().duration()).isEqualTo("10m");
  }

  @Test
  void jsonAndYamlRoundTripToTheSameValue() {
    FaultInjectionPolicy p = PolicyCodec.parse(DESIGN_EXAMPLE, PolicyCodec.Format.YAML);
    assertThat(PolicyCodec.parse(PolicyCodec.toJson(p), PolicyCodec.Format.JSON)).isEqualTo(p);
    assertThat(PolicyCodec.parse(PolicyCodec.toYaml(p), PolicyCodec.Format.YAML)).isEqualTo(p);
  }

  @Test
  void yamlKeepsANumericResourceVersionAStringSoItCanBeAppliedAgain() {
    FaultInjectionPolicy p = TestPolicies.abort("a", 503).withResourceVersion("12");
    String yaml = PolicyCodec.toYaml(p);
    assertThat(yaml).contains("resourceVersion: \"12\"");
    assertThat(PolicyCodec.parse(yaml, PolicyCodec.Format.YAML)).isEqualTo(p);
  }

  @Test
  void reportsEveryViolationWithItsFieldPath() {
    String bad =
        """
        {"apiVersion":"hfi.dev/v1alpha1","kind":"FaultInjectionPolicy","metadata":{"name":"Bad_Name"},
         "spec":{"match":{"path":{"prefix":"/a","regex":"(x"}},
                 "fault":{"percentage":101,"abort":{"httpStatus":99}}}}
        """;
    assertThatThrownBy(() -> PolicyCodec.parse(bad, PolicyCodec.Format.JSON))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("metadata.name: must be a DNS-1123 label")
        .hasMessageContaining("spec.match.path: exactly one of exact, prefix, regex")
        .hasMessageContaining("spec.fault.percentage: must be between 0 and 100")
        .hasMessageContaining("spec.fault.abort.httpStatus: must be in [200, 600), got 99");
  }

  @Test
  void unknownFieldsNameThePathAndTheKnownFields() {
    String bad = TestPolicies.yaml("a", 503).replace("prefix: /api/a", "prefx: /api/a");
    assertThatThrownBy(() -> PolicyCodec.parse(bad, PolicyCodec.Format.YAML))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessage("spec.match.path.prefx: unknown field; expected one of: exact, prefix, regex");
  }

  @Test
  void wrongTypesNameThePathAndTheExpectedType() {
    String bad = TestPolicies.yaml("a", 503).replace("httpStatus: 503", "httpStatus: \"503\"");
    assertThatThrownBy(() -> PolicyCodec.parse(bad, PolicyCodec.Format.YAML))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageStartingWith("spec.fault.abort.httpStatus: expected an integer");
  }

  @Test
  void aWrongTypeDoesNotHideTheOtherProblems() {
    String bad =
        """
        apiVersion: hfi.dev/v1alpha1
        kind: FaultInjectionPolicy
        metadata: {name: Bad_Name}
        spec:
          priority: high
          match: {path: {prefix: /api}, mehtod: {exact: GET}}
          fault:
            percentage: "abc"
            abort: {httpStatus: 700}
        """;
    assertThatThrownBy(() -> PolicyCodec.parse(bad, PolicyCodec.Format.YAML))
        .isInstanceOfSatisfying(
            InvalidPolicyException.class,
            e -> {
              assertThat(e.problems())
                  .containsExactlyInAnyOrder(
                      "spec.priority: expected an integer, got \"high\"",
                      "spec.match.mehtod: unknown field; expected one of: headers, method, path",
                      "spec.fault.percentage: expected a number, got \"abc\"",
                      "metadata.name: must be a DNS-1123 label (lower-case letters, digits and"
                          + " '-', starting and ending with a letter or digit, at most 63"
                          + " characters), got \"Bad_Name\"",
                      "spec.fault.abort.httpStatus: must be in [200, 600), got 700");
              assertThat(e.getMessage().lines()).containsExactlyElementsOf(e.problems());
            });
  }

  @Test
  void aFieldDroppedForItsTypeDoesNotAlsoMakeItsParentLookIncomplete() {
    String bad = TestPolicies.yaml("a", 503).replace("abort: {httpStatus: 503}", "abort: 503");
    assertThatThrownBy(() -> PolicyCodec.parse(bad, PolicyCodec.Format.YAML))
        .isInstanceOfSatisfying(
            InvalidPolicyException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly("spec.fault.abort: expected an object, got 503"));
  }

  @Test
  void everyRuleViolationIsOneLineOfTheMessage() {
    String bad = TestPolicies.yaml("a", 503).replace("httpStatus: 503", "httpStatus: 99");
    String worse = bad.replace("prefix: /api/a", "prefix: api/a");
    assertThatThrownBy(() -> PolicyCodec.parse(worse, PolicyCodec.Format.YAML))
        .hasMessage(
            "spec.match.path.prefix: must start with '/', got \"api/a\"\n"
                + "spec.fault.abort.httpStatus: must be in [200, 600), got 99");
  }

  @Test
  void percentageHasAtMostFourDecimals() {
    String ok = TestPolicies.yaml("a", 503).replace("fault:", "fault:\n    percentage: 0.0001");
    assertThat(PolicyCodec.parse(ok, PolicyCodec.Format.YAML).spec().fault().percentage())
        .isEqualByComparingTo("0.0001");
    String bad = TestPolicies.yaml("a", 503).replace("fault:", "fault:\n    percentage: 0.00001");
    assertThatThrownBy(() -> PolicyCodec.parse(bad, PolicyCodec.Format.YAML))
        .hasMessageContaining("spec.fault.percentage: at most 4 decimal places");
  }

  @Test
  void aNumberOrBooleanWhereAStringBelongsIsRejectedNotCoerced() {
    String numericName = TestPolicies.yaml("a", 503).replace("name: a", "name: 224");
    assertThatThrownBy(() -> PolicyCodec.parse(numericName, PolicyCodec.Format.YAML))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageStartingWith("metadata.name: expected a string");
    String booleanBody =
        TestPolicies.yaml("a", 503).replace("{httpStatus: 503}", "{httpStatus: 503, body: false}");
    assertThatThrownBy(() -> PolicyCodec.parse(booleanBody, PolicyCodec.Format.YAML))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageStartingWith("spec.fault.abort.body: expected a string");
    String quoted = TestPolicies.yaml("a", 503).replace("name: a", "name: \"a\"");
    assertThat(PolicyCodec.parse(quoted, PolicyCodec.Format.YAML).metadata().name()).isEqualTo("a");
  }

  @Test
  void everyMatcherHasTheSameLengthLimit() {
    String long4097 = "a".repeat(4097);
    String header =
        TestPolicies.yaml("a", 503)
            .replace(
                "path: {prefix: /api/a}",
                "path: {prefix: /api/a}\n    headers: [{name: x-user, regex: " + long4097 + "}]");
    assertThatThrownBy(() -> PolicyCodec.parse(header, PolicyCodec.Format.YAML))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining(
            "spec.match.headers[0].regex: 4097 characters is above the limit of 4096 characters");
    String path = TestPolicies.yaml("a", 503).replace("prefix: /api/a", "prefix: /" + long4097);
    assertThatThrownBy(() -> PolicyCodec.parse(path, PolicyCodec.Format.YAML))
        .hasMessageContaining(
            "spec.match.path.prefix: 4098 characters is above the limit of 4096 characters");
  }
}
