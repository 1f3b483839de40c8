package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.PolicyCodec;
import dev.hfi.client.RuleSet;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.internal.RuleCompiler;
import dev.hfi.filter.internal.core.Rule;
import dev.hfi.filter.internal.core.RuleSetDecoder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RuleCompilerTest {
  @Test
  void compilesToTheDocumentedWireFormat() {
    try (MemoryPolicyStore store = new MemoryPolicyStore()) {
      String yaml =
          """
          apiVersion: hfi.dev/v1alpha1
          kind: FaultInjectionPolicy
          metadata: {name: orders-unavailable}
          spec:
            priority: 10
            target: {nodes: [orders-proxy]}
            match:
              path: {prefix: /api/orders}
              method: {exact: POST}
              headers:
                - {name: X-User, exact: test}
                - {name: x-canary, present: true}
            fault:
              percentage: 50
              abort: {httpStatus: 503, body: injected, headers: {Retry-After: "1"}}
              delay: {fixedDelay: 2s}
              maxInjections: 2
            duration: 10m
          """;
      FaultInjectionPolicy stored =
          store.apply(PolicyCodec.parse(yaml, PolicyCodec.Format.YAML)).policy();
      long expires = java.time.Instant.parse(stored.status().expiresAt()).toEpochMilli();
      RuleSet rs = RuleCompiler.ruleSet(42, List.of(RuleCompiler.compile(stored)));
      assertThat(rs.json())
          .isEqualTo(
              "{\"version\":42,\"rules\":[{\"policy\":\"orders-unavailable\",\"generation\":2,"
                  + "\"nodes\":[\"orders-proxy\"],\"path\":{\"prefix\":\"/api/orders\"},"
                  + "\"method\":{\"exact\":\"POST\"},"
                  + "\"headers\":[{\"name\":\"x-user\",\"exact\":\"test\"},{\"name\":\"x-canary\",\"present\":true}],"
                  + "\"perMillion\":500000,"
                  + "\"abort\":{\"httpStatus\":503,\"body\":\"injected\",\"headers\":[[\"retry-after\",\"1\"]]},"
                  + "\"delayMs\":2000,\"maxInjections\":2,\"expiresAtMs\":"
                  + expires
                  + "}]}");

      // The filter's own decoder (plain Java here, Wasm in the data planes) reads it as compiled.
      dev.hfi.filter.internal.core.RuleSet decoded =
          RuleSetDecoder.decode(rs.json(), "orders-proxy");
      assertThat(decoded.version()).isEqualTo(42);
      assertThat(decoded.size()).isEqualTo(1);
      Rule rule = decoded.rule(0);
      assertThat(rule.policy()).isEqualTo("orders-unavailable");
      assertThat(rule.perMillion()).isEqualTo(500_000);
      assertThat(rule.delayMs()).isEqualTo(2000);
      assertThat(rule.maxInjections()).isEqualTo(2);
      assertThat(rule.abort().httpStatus()).isEqualTo(503);
      assertThat(RuleSetDecoder.decode(rs.json(), "billing-proxy").size()).isZero();
    }
  }

  @Test
  void compoundDurationsCompileToMilliseconds() {
    FaultInjectionPolicy.Fault slow =
        new FaultInjectionPolicy.Fault(null, null, new FaultInjectionPolicy.Delay("1m30s"), null);
    try (MemoryPolicyStore store = new MemoryPolicyStore()) {
      FaultInjectionPolicy stored =
          store
              .apply(
                  FaultInjectionPolicy.of(
                      FaultInjectionPolicy.Metadata.named("slow"),
                      new FaultInjectionPolicy.Spec(null, null, null, slow, "1m30s")))
              .policy();
      assertThat(
              java.time.Duration.between(
                  java.time.Instant.parse(stored.status().specUpdatedAt()),
                  java.time.Instant.parse(stored.status().expiresAt())))
          .isEqualTo(java.time.Duration.ofSeconds(90));
      assertThat(RuleCompiler.compile(stored).json()).contains("\"delayMs\":90000");
    }
  }

  @Test
  void sortsByPriorityDescendingThenName() {
    try (MemoryPolicyStore store = new MemoryPolicyStore()) {
      FaultInjectionPolicy low = store.apply(TestPolicies.abort("a-low", 503)).policy();
      FaultInjectionPolicy b = store.apply(TestPolicies.abort("b", 503)).policy();
      FaultInjectionPolicy c = TestPolicies.abort("c-high", 503);
      c =
          store
              .apply(
                  FaultInjectionPolicy.of(
                      c.metadata(),
                      new FaultInjectionPolicy.Spec(
                          5, null, c.spec().match(), c.spec().fault(), null)))
              .policy();
      RuleSet rs =
          RuleCompiler.ruleSet(
              9,
              List.of(RuleCompiler.compile(b), RuleCompiler.compile(low), RuleCompiler.compile(c)));
      assertThat(rs.json().indexOf("c-high")).isLessThan(rs.json().indexOf("a-low"));
      assertThat(rs.json().indexOf("a-low")).isLessThan(rs.json().indexOf("\"b\""));
      assertThat(rs.ruleCount()).isEqualTo(3);
      assertThat(rs.json()).contains("\"perMillion\":1000000");
    }
  }
}
