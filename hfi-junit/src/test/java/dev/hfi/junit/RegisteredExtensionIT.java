package dev.hfi.junit;

import static dev.hfi.junit.EchoUpstream.get;
import static dev.hfi.junit.HfiFault.fault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

/**
 * A registered {@link HfiExtension} answers for itself from its beforeAll on, and injects faults
 * from inside a test: applied before {@code inject} returns, counted per policy and per upstream,
 * removed after the test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegisteredExtensionIT {
  static final EchoUpstream echo = new EchoUpstream();

  @RegisterExtension
  static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", echo::uri).build();

  static URI proxyFromBeforeAll;

  @BeforeAll
  static void askTheExtensionBeforeAnyTest() {
    proxyFromBeforeAll = hfi.proxyUri("echo");
  }

  @AfterAll
  static void stopUpstream() {
    echo.close();
  }

  @Test
  @Order(1)
  void theExtensionAnswersFromItsBeforeAllOn(HfiStack stack) {
    assertThat(proxyFromBeforeAll).isEqualTo(stack.proxyUri("echo"));
    assertThat(hfi.stack()).isSameAs(stack);
    assertThat(hfi.client().baseUri()).isEqualTo(stack.controlPlaneUri());
    assertThat(get(proxyFromBeforeAll, "/x").body()).isEqualTo("upstream /x");
  }

  @Test
  @Order(2)
  void aFaultInjectedMidTestHoldsForTheNextRequest() {
    URI proxy = hfi.proxyUri("echo");
    // Something first, that the fault depends on.
    String order = "/orders/" + echo.requests.get();
    assertThat(get(proxy, order).statusCode()).isEqualTo(200);

    InjectedFault down =
        hfi.inject(
            fault()
                .onUpstream("echo")
                .onPathExact(order)
                .abort(503, "down", Map.of("retry-after", "1"))
                .times(2));

    // No retry, no wait: inject returned once the proxy ACKed the fault.
    HttpResponse<String> r = get(proxy, order);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("down");
    assertThat(r.headers().firstValue("retry-after")).hasValue("1");
    assertThat(r.headers().firstValue("x-hfi-fault")).hasValue(down.name());
    assertThat(get(proxy, order).statusCode()).isEqualTo(503);
    assertThat(get(proxy, order).statusCode()).isEqualTo(200);
    assertThat(get(proxy, "/elsewhere").statusCode()).isEqualTo(200);

    assertThat(down.name()).startsWith("registeredextensionit-afaultinjected");
    assertThat(down.injections()).isEqualTo(2);
    assertThat(hfi.injectionsByPolicy(down.name())).isEqualTo(2);
    assertThat(hfi.injectionsOnUpstream("echo")).isEqualTo(2);
    assertThat(hfi.aborts("echo")).isEqualTo(2);
    assertThat(hfi.currentPolicies()).containsExactly(down.name());
  }

  @Test
  @Order(3)
  @InjectFault(
      name = "annotated",
      upstream = "echo",
      pathExact = "/a",
      abort = @Abort(httpStatus = 501))
  void injectedAndAnnotatedFaultsLiveSideBySideAndRemoveEndsOne() {
    URI proxy = hfi.proxyUri("echo");
    InjectedFault b = hfi.inject(fault().onPathExact("/b").abort(502));
    assertThat(hfi.currentPolicies()).containsExactly("annotated", b.name());
    assertThat(get(proxy, "/a").statusCode()).isEqualTo(501);
    assertThat(get(proxy, "/b").statusCode()).isEqualTo(502);

    b.remove();

    assertThat(get(proxy, "/b").statusCode()).isEqualTo(200);
    assertThat(hfi.currentPolicies()).containsExactly("annotated");
    b.remove(); // already gone: nothing to do
    HfiAssertions.assertThat(hfi)
        .hasInjectionsByPolicy("annotated", 1)
        .hasInjectionsByPolicy(b.name(), 1)
        .hasInjectionsOnUpstream("echo", 2);
  }

  @Test
  @Order(4)
  void faultsOfEarlierTestsAreGone() {
    assertThat(hfi.client().list().items()).isEmpty();
    assertThat(hfi.currentPolicies()).isEmpty();
    assertThat(get(hfi.proxyUri("echo"), "/a").statusCode()).isEqualTo(200);
    assertThat(get(hfi.proxyUri("echo"), "/b").statusCode()).isEqualTo(200);
  }

  @Test
  @Order(5)
  void anUpstreamIsNotAPolicy() {
    assertThatThrownBy(() -> hfi.injectionsByPolicy("echo"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "\"echo\" is an upstream, not a policy of this test ([]); count its injections with"
                + " injectionsOnUpstream(\"echo\")");
  }

  @Test
  @Order(6)
  void badSettingsFailNamingTheMethodToFix() {
    assertThatThrownBy(() -> hfi.inject(fault().abort(700)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(
            "inject(fault()) in RegisteredExtensionIT.badSettingsFailNamingTheMethodToFix(): abort:"
                + " invalid status 700: must be in 200..599");
    hfi.inject(fault().named("twice").onPath("/twice").abort(503));
    assertThatThrownBy(() -> hfi.inject(fault().named("twice").abort(504)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageEndingWith(
            ": named: a policy called \"twice\" is already in force in this test; give each its"
                + " own name");
  }

  @Test
  void anExtensionBuildingTheTestInstanceMayAskLikeSpringDoes() {
    AsksWhenTheInstanceIsBuilt.seen.clear();

    Fixtures.run(SpringLike.class, SpringLikePerClass.class)
        .testEvents()
        .assertStatistics(s -> s.started(2).succeeded(2));

    assertThat(AsksWhenTheInstanceIsBuilt.seen)
        .hasSize(2)
        .allSatisfy(uri -> assertThat(uri.getScheme()).isEqualTo("http"));
  }

  @Test
  void anExtensionThatHasNotRunSaysWhenItWill() {
    HfiExtension notYet = HfiExtension.newInstance().withUpstream("echo", echo::uri).build();

    assertThatThrownBy(() -> notYet.proxyUri("echo"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("available once the extension's beforeAll has run");
  }

  /**
   * Stands in for Spring's extension, declared on the class (so before the field): it asks for the
   * proxy while it post-processes the test instance, as Spring does when it loads the application
   * context and evaluates {@code @DynamicPropertySource} suppliers.
   */
  static final class AsksWhenTheInstanceIsBuilt implements TestInstancePostProcessor {
    static final List<URI> seen = new CopyOnWriteArrayList<>();

    @Override
    public void postProcessTestInstance(Object instance, ExtensionContext context) {
      seen.add(((Supplier<URI>) instance).get());
    }
  }

  @Fixture
  @ExtendWith(AsksWhenTheInstanceIsBuilt.class)
  static class SpringLike implements Supplier<URI> {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", echo::uri).build();

    @Override
    public URI get() {
      return hfi.proxyUri("echo");
    }

    @Test
    void test() {
      assertThat(EchoUpstream.get(hfi.proxyUri("echo"), "/x").statusCode()).isEqualTo(200);
    }
  }

  @Fixture
  @ExtendWith(AsksWhenTheInstanceIsBuilt.class)
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  static class SpringLikePerClass implements Supplier<URI> {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", echo::uri).build();

    @Override
    public URI get() {
      return hfi.proxyUri("echo");
    }

    @Test
    void test() {
      assertThat(EchoUpstream.get(hfi.proxyUri("echo"), "/x").statusCode()).isEqualTo(200);
    }
  }
}
