package dev.hfi.controlplane.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.FaultInjectionPolicy.StringMatch;
import dev.hfi.client.PolicyCodec;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.filter.internal.core.Rule;
import dev.hfi.filter.internal.core.RuleSet;
import dev.hfi.filter.internal.core.RuleSetDecoder;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rule set's wire format has two ends: RuleCompiler writes it in the control plane, the
 * filter's RuleSetDecoder reads it (compiled to Wasm, and as plain Java here). Their field lists
 * must stay one list: a field the compiler adds that the decoder does not know would make every
 * filter NACK the rule set, and a field the decoder expects that the compiler never writes is dead.
 */
class RuleSetContractTest {
  @Test
  void theCompilerWritesExactlyTheFieldsTheFilterReads() {
    assertThat(fields(RuleCompiler.RuleJson.class))
        .containsExactlyInAnyOrderElementsOf(RuleSetDecoder.RULE);
    assertThat(fields(StringMatch.class))
        .containsExactlyInAnyOrderElementsOf(RuleSetDecoder.MATCHER);
    assertThat(fields(RuleCompiler.HeaderJson.class))
        .containsExactlyInAnyOrderElementsOf(RuleSetDecoder.HEADER);
    assertThat(fields(RuleCompiler.AbortJson.class))
        .containsExactlyInAnyOrderElementsOf(RuleSetDecoder.ABORT);
    String empty = RuleCompiler.ruleSet(1, List.of()).json();
    assertThat(empty).isEqualTo("{\"version\":1,\"rules\":[]}");
    assertThat(RuleSetDecoder.TOP).containsExactlyInAnyOrder("version", "rules");
  }

  @Test
  void aRuleWithEveryFieldIsDecodedByTheFilterAsCompiled() {
    String yaml =
        """
        apiVersion: hfi.dev/v1alpha1
        kind: FaultInjectionPolicy
        metadata: {name: every-field}
        spec:
          priority: 7
          target: {nodes: [orders-proxy]}
          match:
            path: {regex: "/api/orders/[0-9]+"}
            method: {exact: POST}
            headers:
              - {name: x-user, exact: test}
              - {name: x-tenant, prefix: acme-}
              - {name: x-trace, regex: "[a-f0-9]{8}"}
              - {name: x-canary, present: true}
          fault:
            percentage: 12.5
            abort: {httpStatus: 503, body: injected, headers: {retry-after: "1"}}
            delay: {fixedDelay: 1m30s}
            maxInjections: 3
          duration: 10m
        """;
    try (MemoryPolicyStore store = new MemoryPolicyStore()) {
      FaultInjectionPolicy stored =
          store.apply(PolicyCodec.parse(yaml, PolicyCodec.Format.YAML)).policy();
      String json = RuleCompiler.ruleSet(42, List.of(RuleCompiler.compile(stored))).json();

      RuleSet decoded = RuleSetDecoder.decode(json, "orders-proxy");
      assertThat(decoded.version()).isEqualTo(42);
      assertThat(decoded.size()).isEqualTo(1);
      Rule rule = decoded.rule(0);
      assertThat(rule.policy()).isEqualTo("every-field");
      assertThat(rule.perMillion()).isEqualTo(125_000);
      assertThat(rule.delayMs()).isEqualTo(90_000);
      assertThat(rule.maxInjections()).isEqualTo(3);
      assertThat(rule.abort().httpStatus()).isEqualTo(503);
      assertThat(new String(rule.abort().body(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo("injected");
      assertThat(RuleSetDecoder.decode(json, "billing-proxy").size()).isZero();
    }
  }

  private static List<String> fields(Class<? extends Record> type) {
    return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
  }
}
