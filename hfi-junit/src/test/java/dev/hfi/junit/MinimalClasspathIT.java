package dev.hfi.junit;

import static dev.hfi.junit.EchoUpstream.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * hfi-junit on the classpath of a project that adds it alone: the failsafe execution {@code
 * minimal-classpath} (pom.xml) runs this class, and only this one, without AssertJ (an optional
 * dependency, for {@link HfiAssertions}), hfi-store-etcd and Testcontainers. Plain JUnit assertions
 * only: the EngineTestKit the other tests use needs AssertJ.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MinimalClasspathIT {
  static final EchoUpstream echo = new EchoUpstream();

  @RegisterExtension
  static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", echo::uri).build();

  @AfterAll
  static void stop() {
    echo.close();
  }

  @Test
  void theClasspathLacksWhatTheEmbeddedStackDoesNotNeed() {
    for (String absent :
        List.of(
            "org.assertj.core.api.Assertions",
            "net.bytebuddy.ByteBuddy",
            "dev.hfi.store.etcd.EtcdPolicyStore",
            "io.etcd.jetcd.Client",
            "org.testcontainers.DockerClientFactory")) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(absent), absent);
    }
  }

  @Test
  @InjectFault(upstream = "echo", abort = @Abort(httpStatus = 503))
  void injectFaultWorksWithoutAssertJ(HfiStack stack) {
    assertEquals(503, get(stack.proxyUri("echo"), "/x").statusCode());
    assertEquals(1, stack.injectionsOnUpstream("echo"));
  }

  @Test
  void storeEtcdWithoutHfiStoreEtcdFailsTheClassAtOnceNamingTheModule() {
    assertFailsNamingTheModule(OnEtcd.class);
  }

  @Test
  void theStorePropertySayingEtcdFailsTheSameWay() {
    System.setProperty("hfi.store", "etcd");
    try {
      assertFailsNamingTheModule(OnDefaultStore.class);
    } finally {
      System.clearProperty("hfi.store");
    }
  }

  /** Runs {@code fixture} in a JUnit run of its own: its class fails before any test starts. */
  private static void assertFailsNamingTheModule(Class<?> fixture) {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(fixture))
                .configurationParameter(Fixture.PARAMETER, "true")
                .build(),
            listener);
    TestExecutionSummary summary = listener.getSummary();
    assertEquals(0, summary.getTestsStartedCount(), "the class's test never starts");
    assertEquals(1, summary.getFailures().size());
    Throwable failure = summary.getFailures().get(0).getException();
    assertInstanceOf(ExtensionConfigurationException.class, failure);
    assertEquals(
        fixture.getSimpleName()
            + ": store = ETCD (@HfiTest, withStore or -Dhfi.store=etcd): add"
            + " dev.hfi:hfi-store-etcd (same version as hfi-junit) to the test dependencies; it"
            + " brings the etcd client (jetcd, gRPC, Netty), which the memory store does not need",
        failure.getMessage());
  }

  /** Asks for the etcd store, whose module is not on this classpath. */
  @Fixture
  static class OnEtcd {
    @RegisterExtension
    static HfiExtension hfi =
        HfiExtension.newInstance()
            .withUpstream("echo", echo::uri)
            .withStore(StoreMode.ETCD)
            .build();

    @Test
    void test() {}
  }

  /** Leaves the store to {@code -Dhfi.store}. */
  @Fixture
  static class OnDefaultStore {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", echo::uri).build();

    @Test
    void test() {}
  }
}
