package dev.hfi.junit;

import static dev.hfi.junit.HfiFault.fault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.PolicyCodec;
import dev.hfi.junit.internal.FaultAnnotations;
import dev.hfi.junit.internal.FaultSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * {@code @InjectFault} and the fluent {@link HfiFault} go through one mapping: the same settings
 * give the same policy, and the same mistakes the same message in each one's vocabulary.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultMappingTest {
  private static final Set<String> UPSTREAMS = Set.of("orders", "pricing");

  @InjectFault(
      name = "everything",
      upstream = "orders",
      pathRegex = "/api/orders/[0-9]+",
      method = "POST",
      headers = {
        @Header(name = "x-user", exact = "test"),
        @Header(name = "x-trace", present = true)
      },
      abort = @Abort(httpStatus = 503, body = "busy", headers = "retry-after: 1"),
      delay = @Delay(fixedDelay = "250ms"),
      percentage = 33.3333,
      maxInjections = 2,
      priority = 7,
      duration = "1m30s")
  void everything() {}

  @Test
  void theAnnotationAndTheBuilderGiveTheSamePolicy() throws Exception {
    FaultInjectionPolicy fromAnnotation = annotation("everything", "default");
    FaultInjectionPolicy fromBuilder =
        builder(
            fault()
                .named("everything")
                .onUpstream("orders")
                .onPathRegex("/api/orders/[0-9]+")
                .onMethod("POST")
                .onHeader("x-user", "test")
                .onHeaderPresent("x-trace")
                .abort(503, "busy", Map.of("retry-after", "1"))
                .delay(Duration.ofMillis(250))
                .percentage(33.3333)
                .times(2)
                .priority(7)
                .expireAfter(Duration.ofSeconds(90)));

    assertThat(fromBuilder).isEqualTo(fromAnnotation);
    assertThat(PolicyCodec.toYaml(fromAnnotation))
        .contains("percentage: 33.3333")
        .contains("retry-after: \"1\"")
        .contains("fixedDelay: 250ms")
        .contains("duration: 1m30s");
  }

  @InjectFault(abort = @Abort(httpStatus = 503), percentage = 0.0001)
  void onePerMillion() {}

  @InjectFault(abort = @Abort(httpStatus = 503), percentage = 12.34567)
  void tooPrecise() {}

  @Test
  void percentageKeepsThePrecisionOfTheModelAndNoMore() throws Exception {
    assertThat(annotation("onePerMillion", "p").spec().fault().percentage())
        .isEqualByComparingTo(new BigDecimal("0.0001"));
    assertThat(builder(fault().abort(503).percentage(0.0001)).spec().fault().percentage())
        .isEqualByComparingTo(new BigDecimal("0.0001"));
    assertThatThrownBy(() -> annotation("tooPrecise", "p"))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(
            "@InjectFault on FaultMappingTest.tooPrecise(): percentage: 12.34567 has more than 4"
                + " decimals (the precision is one request per million)");
    assertThatThrownBy(() -> builder(fault().abort(503).percentage(12.34567)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(
            "inject(fault()) in FaultMappingTest.test(): percentage: 12.34567 has more than 4"
                + " decimals (the precision is one request per million)");
  }

  @Test
  void builderMistakesNameTheMethodToFix() {
    assertMisuse(fault().abort(700), "abort: invalid status 700: must be in 200..599");
    assertMisuse(fault().onPath("/a"), "abort, delay: no fault: call abort(503) and/or delay(");
    assertMisuse(
        fault().abort(503).onPath("/a").onPathRegex("/b.*"),
        "onPath, onPathRegex: give at most one path matcher, found [onPath, onPathRegex]");
    assertMisuse(fault().abort(503).times(0), "times: 0 must be at least 1");
    assertMisuse(fault().abort(503).percentage(101), "percentage: 101 is outside 0..100");
    assertMisuse(
        fault().abort(503).onUpstream("payments"),
        "onUpstream: unknown upstream \"payments\"; declared: ");
    assertMisuse(
        fault().abort(503).abortGrpc(14), "abort: give an HTTP status or a gRPC status, not both");
    assertMisuse(fault().delay(Duration.ZERO), "invalid policy: spec.fault.delay.fixedDelay");
  }

  @InjectFault(abort = @Abort(httpStatus = 503, headers = "retry-after"))
  void headerWithoutValue() {}

  @Test
  void abortHeadersAreNameColonValue() {
    assertThatThrownBy(() -> annotation("headerWithoutValue", "h"))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(
            "@InjectFault on FaultMappingTest.headerWithoutValue(): abort.headers: \"retry-after\""
                + " is not \"name: value\", e.g. headers = \"retry-after: 1\"");
  }

  @InjectFault(
      policy = "classpath:policies/teapot.yaml",
      upstream = "orders",
      percentage = 25.5,
      maxInjections = 3,
      priority = 9,
      duration = "5m",
      abort = @Abort(body = "overridden", headers = "retry-after: 2"))
  void fileWithOverrides() {}

  @InjectFault(policy = "classpath:policies/teapot.yaml")
  void fileAsIs() {}

  @InjectFault(policy = "classpath:policies/teapot.yaml", path = "/x", method = "GET")
  void fileWithAMatch() {}

  @InjectFault(policy = "classpath:policies/slow.yaml", abort = @Abort(body = "nobody"))
  void bodyForAFileWithoutAbort() {}

  @Test
  void attributesBesideAPolicyFileOverrideItsValues() throws Exception {
    FaultInjectionPolicy file = annotation("fileAsIs", "unused");
    FaultInjectionPolicy p = annotation("fileWithOverrides", "unused");

    assertThat(p.name()).isEqualTo("teapot-from-file");
    assertThat(p.spec().match()).isEqualTo(file.spec().match());
    assertThat(p.spec().target().nodes()).containsExactly("orders");
    assertThat(p.spec().fault().percentage()).isEqualByComparingTo("25.5");
    assertThat(p.spec().fault().maxInjections()).isEqualTo(3);
    assertThat(p.spec().priority()).isEqualTo(9);
    assertThat(p.spec().duration()).isEqualTo("5m");
    assertThat(p.spec().fault().abort())
        .isEqualTo(
            new FaultInjectionPolicy.Abort(418, null, "overridden", Map.of("retry-after", "2")));
  }

  @Test
  void whatOnlyThePolicyFileDefinesCannotBeSetBesideIt() {
    assertThatThrownBy(() -> annotation("fileWithAMatch", "unused"))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageStartingWith(
            "@InjectFault on FaultMappingTest.fileWithAMatch(): policy: the policy file defines"
                + " the policy's name, match and fault kind; remove [path, method] or drop policy"
                + " = ...");
    assertThatThrownBy(() -> annotation("bodyForAFileWithoutAbort", "unused"))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(
            "@InjectFault on FaultMappingTest.bodyForAFileWithoutAbort(): abort.body: the policy"
                + " file has no abort with an httpStatus to give a body or headers to");
  }

  private static void assertMisuse(HfiFault fault, String message) {
    assertThatThrownBy(() -> builder(fault))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageStartingWith("inject(fault()) in FaultMappingTest.test(): " + message);
  }

  private static FaultInjectionPolicy annotation(String method, String defaultName)
      throws NoSuchMethodException {
    InjectFault a =
        FaultMappingTest.class.getDeclaredMethod(method).getAnnotation(InjectFault.class);
    return FaultAnnotations.toPolicy(
        a,
        "FaultMappingTest." + method + "()",
        defaultName,
        UPSTREAMS,
        FaultMappingTest.class.getClassLoader());
  }

  private static FaultInjectionPolicy builder(HfiFault fault) {
    return fault
        .spec()
        .toPolicy(
            "inject(fault()) in FaultMappingTest.test()",
            FaultSpec.BUILDER,
            "default",
            UPSTREAMS,
            null);
  }
}
