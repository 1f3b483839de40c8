package dev.hfi.filter.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.filter.internal.build.TeaVmBuild;
import dev.hfi.filter.internal.context.FilterRoot;
import dev.hfi.filter.wasm.FilterHost.Engine;
import dev.hfi.filter.wasm.FilterHost.PollCall;
import dev.hfi.filter.wasm.FilterHost.Result;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rule sets far larger than TeaVM's initial heap: memory grows with them, the filter ACKs and keeps
 * injecting, and what it cannot take it NACKs instead of trapping. Prints linear memory per VM.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FilterMemoryIT {
  private static final String BIG_RULES_PATH = "/svc-";

  private static FilterHost host(Engine engine) throws Exception {
    return new FilterHost(FilterAbortIT.CONFIG, engine);
  }

  /**
   * {@code n} rules as the control plane compiles them, each on its own path prefix, named {@code
   * <prefix>-<i>}; the last one's path is {@code /svc-<n-1>/}.
   */
  private static String ruleSet(long version, String prefix, int n) {
    StringBuilder sb = new StringBuilder("{\"version\":").append(version).append(",\"rules\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"policy\":\"")
          .append(prefix)
          .append('-')
          .append(i)
          .append("\",\"generation\":")
          .append(1000 + i)
          .append(",\"path\":{\"prefix\":\"")
          .append(BIG_RULES_PATH)
          .append(i)
          .append("/\"},\"method\":{\"exact\":\"GET\"},")
          .append("\"headers\":[{\"name\":\"x-user\",\"prefix\":\"al\"}],\"perMillion\":1000000,")
          .append("\"abort\":{\"httpStatus\":503,\"body\":\"injected by ")
          .append(prefix)
          .append("\",\"headers\":[[\"retry-after\",\"1\"]]}}");
    }
    return sb.append("]}").toString();
  }

  private static Result hit(FilterHost host, int rule) {
    return host.request(
        ":method", "GET", ":path", BIG_RULES_PATH + rule + "/orders", "x-user", "alice");
  }

  private static void report(Engine engine, String what, long bytes) {
    System.out.printf(
        Locale.ROOT,
        "hfi-memory: %s, %s: linear memory %d bytes (%.1f MiB)%n",
        engine,
        what,
        bytes,
        bytes / 1048576.0);
  }

  /**
   * 10,000 rules in the compiled machine; 2,000 in the interpreter, which decodes about 100 times
   * slower (minutes for 10,000 rules on a loaded 2-core machine).
   */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void tenThousandRulesTwiceApplyAndStillInject(Engine engine) throws Exception {
    int big = engine == Engine.BUILD_TIME_COMPILED ? 10_000 : 2_000;
    try (FilterHost host = host(engine)) {
      PollCall call = host.nextCall();
      long empty = host.memoryBytes();
      report(engine, "0 rules", empty);
      // A few MiB of TeaVM heap at start, not the 16 MiB a fixed heap used to take.
      assertThat(empty).isLessThan(8L << 20);

      call.ruleSet(1, ruleSet(1, "small", 1_000));
      call = host.awaitAck(1);
      report(engine, "1,000 rules", host.memoryBytes());
      assertThat(hit(host, 999).body()).isEqualTo("injected by small");

      call.ruleSet(2, ruleSet(2, "big", big));
      call = host.awaitAck(2);
      long first = host.memoryBytes();
      report(engine, big + " rules", first);
      assertThat(hit(host, big - 1).body()).isEqualTo("injected by big");

      call.ruleSet(3, ruleSet(3, "bigger", big));
      call = host.awaitAck(3);
      report(engine, "another " + big + " rules", host.memoryBytes());
      Result r = hit(host, big - 1);
      assertThat(r.response.status()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("injected by bigger");
      assertThat(r.header("x-hfi-fault")).isEqualTo("bigger-" + (big - 1));
      assertThat(hit(host, 0).header("x-hfi-fault")).isEqualTo("bigger-0");
      assertThat(host.request(":method", "GET", ":path", "/elsewhere").passed()).isTrue();

      // Memory does not grow per rule set: the second set reuses the heap the first one grew.
      assertThat(host.memoryBytes()).isLessThanOrEqualTo(first + (first >> 2));
      assertThat(host.metric("hfi.ruleset.version")).isEqualTo(3);
      assertThat(host.metric("hfi.config.errors_total")).isZero();
      assertThat(host.metric("hfi.filter.errors_total")).isZero();
      assertThat(host.logs).noneMatch(l -> l.contains("rejected"));
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void threePoliciesWithOneMebibyteAbortBodiesApplyAndInject(Engine engine) throws Exception {
    try (FilterHost host = host(engine)) {
      StringBuilder rules = new StringBuilder();
      for (int i = 0; i < 3; i++) {
        rules
            .append(i == 0 ? "" : ",")
            .append("{\"policy\":\"huge-")
            .append(i)
            .append("\",\"path\":{\"prefix\":\"/huge-")
            .append(i)
            .append("\"},\"abort\":{\"httpStatus\":500,\"body\":\"")
            .append(Character.toString('a' + i).repeat(1 << 20))
            .append("\"}}");
      }
      PollCall call = host.nextCall();
      call.ruleSet(1, "{\"version\":1,\"rules\":[" + rules + "]}");
      call = host.awaitAck(1);
      report(engine, "3 abort bodies of 1 MiB", host.memoryBytes());
      for (int i = 0; i < 3; i++) {
        Result r = host.request(":method", "GET", ":path", "/huge-" + i);
        assertThat(r.response.status()).isEqualTo(500);
        assertThat(r.response.body()).hasSize(1 << 20);
        assertThat(r.body()).isEqualTo(Character.toString('a' + i).repeat(1 << 20));
      }
      // And a second such set on top of it.
      call.ruleSet(
          2, "{\"version\":2,\"rules\":[" + rules.toString().replace("huge-", "h-") + "]}");
      host.awaitAck(2);
      assertThat(host.request(":method", "GET", ":path", "/h-2").response.body()).hasSize(1 << 20);
      assertThat(host.metric("hfi.filter.errors_total")).isZero();
    }
  }

  @Test
  void ruleSetLargerThanTheLimitIsNackedUnreadAndTheOldOneKept() throws Exception {
    try (FilterHost host = host(Engine.BUILD_TIME_COMPILED)) {
      PollCall call = host.nextCall();
      call.ruleSet(1, ruleSet(1, "kept", 10));
      call = host.awaitAck(1);
      String tooBig = ruleSet(2, "x".repeat(1000), 16_500);
      assertThat(tooBig.length()).isGreaterThan(FilterRoot.MAX_RULE_SET_BYTES);
      long before = host.memoryBytes();
      call.ruleSet(2, tooBig);
      PollCall nack = host.nextCall();
      assertThat(nack.query("version")).isEqualTo("1");
      assertThat(nack.query("rejected")).isEqualTo("2");
      assertThat(nack.query("error"))
          .contains("exceeds the filter's limit of " + FilterRoot.MAX_RULE_SET_BYTES + " bytes");
      // Unread: memory did not grow for it.
      assertThat(host.memoryBytes()).isEqualTo(before);
      assertThat(hit(host, 9).body()).isEqualTo("injected by kept");
      assertThat(host.metric("hfi.config.errors_total")).isEqualTo(1);
      assertThat(host.metric("hfi.filter.errors_total")).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "[]", "0", "\"\"", "[[[[[[[[[[0]]]]]]]]]]"})
  void densestRuleSetsJustUnderTheLimitAreRejectedWithoutTrapping(String value) throws Exception {
    // As many JSON values as fit: all are parsed before the first rule is validated, so these are
    // the most heap a body within the limit can take.
    int overhead = "id: 2\nevent: ruleset\ndata: {\"version\":2,\"rules\":[]}\n\n".length();
    int n = (FilterRoot.MAX_RULE_SET_BYTES - overhead) / (value.length() + 1);
    String dense = "{\"version\":2,\"rules\":[" + (value + ",").repeat(n - 1) + value + "]}";
    try (FilterHost host = host(Engine.BUILD_TIME_COMPILED)) {
      PollCall call = host.nextCall();
      call.ruleSet(1, ruleSet(1, "kept", 10));
      call = host.awaitAck(1);
      call.ruleSet(2, dense);
      PollCall nack = host.nextCall();
      report(
          Engine.BUILD_TIME_COMPILED,
          "after " + n + " x " + value + " in a rule set at the limit",
          host.memoryBytes());
      assertThat(nack.query("rejected")).isEqualTo("2");
      assertThat(nack.query("error")).containsAnyOf("rules[0]", "values");
      assertThat(hit(host, 9).body()).isEqualTo("injected by kept");
      assertThat(host.memoryBytes()).isLessThan((long) TeaVmBuild.MAX_HEAP_BYTES * 2);
      assertThat(host.metric("hfi.filter.errors_total")).isZero();
    }
  }
}
