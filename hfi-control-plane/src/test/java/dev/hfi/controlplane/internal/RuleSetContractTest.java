package dev.hfi.controlplane.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.FaultInjectionPolicy.StringMatch;
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
 * (RuleCompilerTest decodes a compiled rule with every field through the filter's decoder.)
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

  private static List<String> fields(Class<? extends Record> type) {
    return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
  }
}
