package dev.hfi.junit;

import static dev.hfi.junit.EchoUpstream.get;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * @InjectFault end to end: real upstream, real control plane, the filter in the embedded proxy.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@InjectFault(upstream = "echo", path = "/class", abort = @Abort(httpStatus = 503))
class InjectFaultIT {
  static final EchoUpstream echo = new EchoUpstream();

  @RegisterExtension
  static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", echo::uri).build();

  @AfterAll
  static void stopUpstream() {
    echo.close();
  }

  @Test
  @Order(1)
  @InjectFault(upstream = "echo", path = "/now", abort = @Abort(httpStatus = 503, body = "down"))
  void theFirstRequestAfterApplySeesTheFault(HfiStack stack) {
    // No retry, no wait: only the extension's wait for the ACK makes this hold.
    HttpResponse<String> r = get(stack.proxyUri("echo"), "/now");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("down");
    assertThat(r.headers().firstValue("x-hfi-fault"))
        .hasValue("injectfaultit-thefirstrequestafterapplyseesthefault-1");
  }

  @Test
  @Order(2)
  @InjectFault(upstream = "echo", path = "/method", abort = @Abort(httpStatus = 418))
  void classAndMethodPoliciesAreBothInForce(HfiStack stack) {
    assertThat(get(stack.proxyUri("echo"), "/class").statusCode()).isEqualTo(503);
    assertThat(get(stack.proxyUri("echo"), "/method").statusCode()).isEqualTo(418);
    assertThat(get(stack.proxyUri("echo"), "/other").body()).isEqualTo("upstream /other");
    assertThat(stack.injectionsOnUpstream("echo")).isEqualTo(2);
  }

  @Test
  @Order(3)
  @InjectFault(
      name = "first",
      upstream = "echo",
      pathExact = "/a",
      abort = @Abort(httpStatus = 501))
  @InjectFault(
      name = "second",
      upstream = "echo",
      pathExact = "/b",
      abort = @Abort(httpStatus = 502))
  void repeatedAnnotationsEachApply(HfiStack stack) {
    assertThat(get(stack.proxyUri("echo"), "/a").statusCode()).isEqualTo(501);
    assertThat(get(stack.proxyUri("echo"), "/b").statusCode()).isEqualTo(502);
    assertThat(get(stack.proxyUri("echo"), "/b").statusCode()).isEqualTo(502);
    HfiAssertions.assertThat(stack)
        .hasInjectionsByPolicy("first", 1)
        .hasInjectionsByPolicy("second", 2)
        .hasInjectionsOnUpstream("echo", 3);
    assertThat(stack.currentPolicies()).containsExactly("injectfaultit-1", "first", "second");
  }

  @Test
  @Order(4)
  @InjectFault(policy = "classpath:policies/teapot.yaml")
  void policyFilesApply(HfiStack stack) {
    HttpResponse<String> r = get(stack.proxyUri("echo"), "/file/x");

    assertThat(r.statusCode()).isEqualTo(418);
    assertThat(r.body()).isEqualTo("from a policy file");
    assertThat(stack.injectionsByPolicy("teapot-from-file")).isEqualTo(1);
  }

  @Test
  @Order(5)
  @InjectFault(
      upstream = "echo",
      path = "/limited",
      abort = @Abort(httpStatus = 503),
      maxInjections = 2)
  void maxInjectionsThenPassThrough(HfiStack stack) {
    assertThat(get(stack.proxyUri("echo"), "/limited").statusCode()).isEqualTo(503);
    assertThat(get(stack.proxyUri("echo"), "/limited").statusCode()).isEqualTo(503);
    assertThat(get(stack.proxyUri("echo"), "/limited").statusCode()).isEqualTo(200);
    HfiAssertions.assertThat(stack).hasInjectionsOnUpstream("echo", 2).hasAborted("echo", 2);
  }

  @Test
  @Order(6)
  @InjectFault(upstream = "echo", path = "/slow", delay = @Delay(fixedDelay = "300ms"))
  void delaysHoldTheRequest(HfiStack stack) {
    long t0 = System.nanoTime();
    HttpResponse<String> r = get(stack.proxyUri("echo"), "/slow");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(ms).isGreaterThanOrEqualTo(300);
    assertThat(stack.delays("echo")).isEqualTo(1);
  }

  @Test
  @Order(7)
  void policiesOfEarlierTestsAreGone(HfiStack stack) {
    // Only the class-level policy is in force now.
    assertThat(get(stack.proxyUri("echo"), "/now").statusCode()).isEqualTo(200);
    assertThat(get(stack.proxyUri("echo"), "/limited").statusCode()).isEqualTo(200);
    assertThat(get(stack.proxyUri("echo"), "/file/x").statusCode()).isEqualTo(200);
    assertThat(stack.client().list().items())
        .extracting(p -> p.name())
        .containsExactly("injectfaultit-1");
    assertThat(stack.injectionsOnUpstream("echo")).isZero();
  }
}
