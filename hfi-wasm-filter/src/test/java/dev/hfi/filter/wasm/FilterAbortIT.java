package dev.hfi.filter.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.filter.wasm.FilterHost.Engine;
import dev.hfi.filter.wasm.FilterHost.PollCall;
import dev.hfi.filter.wasm.FilterHost.Result;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FilterAbortIT {
  static final String CONFIG =
      "{\"cluster\":\"cp\",\"authority\":\"127.0.0.1:8080\",\"node\":\"orders-proxy\","
          + "\"pollTimeoutMs\":1000,\"deferStart\":true}";

  @ParameterizedTest
  @EnumSource(Engine.class)
  void abortAnswersWithConfiguredStatusBodyAndHeaders(Engine engine) throws Exception {
    try (FilterHost host = new FilterHost(CONFIG, engine)) {
      PollCall first = host.nextCall();
      assertThat(first.query("node")).isEqualTo("orders-proxy");
      assertThat(first.query("version")).isEqualTo("0");
      assertThat(first.query("instance")).isNotEmpty();
      assertThat(first.query("wait")).isEqualTo("1000ms");
      first.ruleSet(
          7,
          "{\"version\":7,\"rules\":[{\"policy\":\"orders-unavailable\",\"generation\":1,"
              + "\"path\":{\"prefix\":\"/api/orders\"},\"perMillion\":1000000,"
              + "\"abort\":{\"httpStatus\":503,\"body\":\"injected\","
              + "\"headers\":[[\"retry-after\",\"1\"]]}}]}");
      host.awaitAck(7);

      Result hit = host.request(":method", "GET", ":path", "/api/orders/1?x=y", ":authority", "o");
      assertThat(hit.response).isNotNull();
      assertThat(hit.response.status()).isEqualTo(503);
      assertThat(hit.body()).isEqualTo("injected");
      assertThat(hit.header("retry-after")).isEqualTo("1");
      assertThat(hit.header("x-hfi-fault")).isEqualTo("orders-unavailable");

      Result miss = host.request(":method", "GET", ":path", "/api/users", ":authority", "o");
      assertThat(miss.passed()).isTrue();

      assertThat(host.metric("hfi.faults.aborts_total")).isEqualTo(1);
      assertThat(host.metric("hfi.policy.orders-unavailable.injections_total")).isEqualTo(1);
      assertThat(host.metric("hfi.ruleset.version")).isEqualTo(7);
      assertThat(host.metric("hfi.filter.errors_total")).isZero();
    }
  }
}
