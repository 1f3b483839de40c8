package dev.hfi.filter.internal.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.filter.FilterConfigException;
import dev.hfi.filter.PluginConfig;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DecoderErrorsTest {
  private static final String OK_ABORT = "\"abort\":{\"httpStatus\":503}";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not json at all | invalid JSON at offset 0",
        "{\"version\":1,\"rules\":[] | unexpected end of input",
        "{\"rules\":[]} | version: required",
        "{\"version\":\"1\",\"rules\":[]} | version: must be an integer",
        "{\"version\":0,\"rules\":[]} | version: must be in 1..",
        "{\"version\":1} | rules: must be a JSON array",
        "{\"version\":1,\"rules\":[],\"extra\":1} | extra: unknown field",
        "{\"version\":1,\"rules\":[{\"abort\":{\"httpStatus\":503}}]} | rules[0].policy: must be a string",
        "{\"version\":1,\"rules\":[{\"policy\":\"p\"}]} | rules[0]: needs at least one of abort and delayMs",
        "{\"version\":1,\"rules\":[{\"policy\":\"p\",\"abort\":{\"httpStatus\":600}}]} | rules[0].abort.httpStatus: must be in 200..599, was 600",
        "{\"version\":1,\"rules\":[{\"policy\":\"p\",\"abort\":{\"httpStatus\":503,\"grpcStatus\":14}}]} | rules[0].abort: needs exactly one of httpStatus and grpcStatus",
        "{\"version\":1,\"rules\":[{\"policy\":\"p\",\"abort\":{\"grpcStatus\":17}}]} | rules[0].abort.grpcStatus: must be in 0..16",
        "{\"version\":1,\"rules\":[{\"policy\":\"p\",\"delayMs\":0}]} | rules[0].delayMs: must be in 1..3600000",
        "{\"version\":1,\"rules\":[{\"policy\":\"p\",\"perMillion\":1000001,\"delayMs\":1}]} | rules[0].perMillion: must be in 0..1000000",
        "{\"version\":1,\"rules\":[{\"policy\":\"p\",\"path\":{\"exact\":\"/a\",\"prefix\":\"/b\"},\"delayMs\":1}]} | rules[0].path: needs exactly one of exact, prefix, regex",
        "{\"version\":1,\"rules\":[{\"policy\":\"p\",\"path\":{\"regex\":\"(\"},\"delayMs\":1}]} | rules[0].path.regex: invalid regex",
        "{\"version\":1,\"rules\":[{\"policy\":\"p\",\"headers\":[{\"name\":\"X-User\",\"exact\":\"a\"}],\"delayMs\":1}]} | rules[0].headers[0].name: must be a non-empty lower-case header name",
        "{\"version\":1,\"rules\":[{\"policy\":\"p\",\"headers\":[{\"name\":\"x\",\"present\":false}],\"delayMs\":1}]} | rules[0].headers[0].present: must be true",
        "{\"version\":1,\"rules\":[{\"policy\":\"p\",\"abort\":{\"httpStatus\":503,\"headers\":[[\"a\"]]}}]} | rules[0].abort.headers[0]: must be a [name, value] pair",
        "{\"version\":1,\"rules\":[{\"policy\":\"p\",\"colour\":\"red\",\"delayMs\":1}]} | rules[0].colour: unknown field",
      })
  void rejectsWithMessageNamingTheField(String json, String message) {
    assertThatThrownBy(() -> RuleSetDecoder.decode(json, "n"))
        .isInstanceOf(FilterConfigException.class)
        .hasMessageContaining(message.trim());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"node\":5} | node: must be a string",
        "{\"pollTimeoutMs\":0} | pollTimeoutMs: must be in 1..600000",
        "{\"deferStart\":\"yes\"} | deferStart: must be true or false",
        "{\"clusterName\":\"x\"} | plugin configuration.clusterName: unknown field",
      })
  void pluginConfigErrorsNameTheField(String json, String message) {
    assertThatThrownBy(() -> PluginConfig.decode(json))
        .isInstanceOf(FilterConfigException.class)
        .hasMessageContaining(message.trim());
  }

  @Test
  void nestingAndValueCountAreBoundedSoParsingCannotExhaustTheVm() {
    String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
    assertThatThrownBy(() -> RuleSetDecoder.decode(deep, "n"))
        .isInstanceOf(FilterConfigException.class)
        .hasMessageContaining("nested deeper than " + Json.MAX_DEPTH);
    String many = "{\"version\":1,\"rules\":[" + "0,".repeat(Json.MAX_VALUES) + "0]}";
    assertThatThrownBy(() -> RuleSetDecoder.decode(many, "n"))
        .isInstanceOf(FilterConfigException.class)
        .hasMessageContaining("more than " + Json.MAX_VALUES + " values");
  }
}
