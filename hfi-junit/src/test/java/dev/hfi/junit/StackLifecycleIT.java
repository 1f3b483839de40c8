package dev.hfi.junit;

import static dev.hfi.junit.EchoUpstream.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * The stack's life cycle, each in a JUnit run of its own: cleanup after a failing test, one stack
 * for several classes (and a new listener when a class points an upstream name elsewhere), and the
 * ACK wait failing with the policy and the instance named.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StackLifecycleIT {
  static final EchoUpstream first = new EchoUpstream();
  static final EchoUpstream second = new EchoUpstream();

  @AfterAll
  static void stopUpstreams() {
    first.close();
    second.close();
  }

  @Test
  void aFailingTestStillRemovesItsPolicies() {
    EngineExecutionResults results = Fixtures.run(FailsWithAFault.class);

    results
        .testEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("failsWhileTheFaultIsInForce"),
                finishedWithFailure(message("deliberate failure"))))
        .haveExactly(1, event(test("theNextTestSeesNoFault"), finishedSuccessfully()));
  }

  @Test
  void injectOutsideATestSaysWhereItWorks() {
    Fixtures.run(InjectsInBeforeAll.class)
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(InjectsInBeforeAll.class),
                finishedWithFailure(
                    instanceOf(IllegalStateException.class),
                    message(
                        "inject(...) works while a test runs (in the test or its"
                            + " @BeforeEach/@AfterEach methods); for every test of a class, put"
                            + " @InjectFault on the class"))));
  }

  @Test
  void oneStackServesEveryClassOfTheRun() {
    SHARED.clear();
    EngineExecutionResults results = Fixtures.run(SharedA.class, SharedB.class);

    results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    assertThat(SHARED).hasSize(2);
    assertThat(SHARED.get(0).controlPlane()).isEqualTo(SHARED.get(1).controlPlane());
    // Same upstream name, another URL: the second class got a listener of its own.
    assertThat(SHARED.get(0).proxy()).isNotEqualTo(SHARED.get(1).proxy());
  }

  @Test
  void anInstanceThatNeverAcksFailsTheTestNamingPolicyAndInstance() {
    assertTestFailsSaying(
        GhostNeverAcks.class,
        "HFI: applying [ghostneveracks-test-1]",
        "timed out after 1000 ms",
        "ghost/g1");
  }

  @Test
  void aNackFailsTheTestNamingPolicyAndInstance() {
    assertTestFailsSaying(
        GhostNacks.class,
        "HFI: applying [ghostnacks-test-1]",
        "data-plane instance ghost/g2 rejected rule set",
        "bad regex");
  }

  /** The fixture's one test, {@code test}, fails with an AssertionError saying every fragment. */
  private static void assertTestFailsSaying(Class<?> fixture, String... fragments) {
    Fixtures.run(fixture)
        .testEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("test"),
                finishedWithFailure(
                    instanceOf(AssertionError.class),
                    message(m -> Arrays.stream(fragments).allMatch(m::contains)))));
  }

  record Seen(URI controlPlane, URI proxy) {}

  static final List<Seen> SHARED = new CopyOnWriteArrayList<>();

  @Fixture
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class FailsWithAFault {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", first::uri).build();

    @Test
    @Order(1)
    @InjectFault(upstream = "echo", abort = @Abort(httpStatus = 503))
    void failsWhileTheFaultIsInForce(HfiStack stack) {
      assertThat(get(stack.proxyUri("echo"), "/x").statusCode()).isEqualTo(503);
      hfi.inject(HfiFault.fault().onUpstream("echo").onPath("/y").abort(502));
      throw new AssertionError("deliberate failure");
    }

    @Test
    @Order(2)
    void theNextTestSeesNoFault(HfiStack stack) {
      assertThat(stack.client().list().items()).isEmpty();
      assertThat(get(stack.proxyUri("echo"), "/x").statusCode()).isEqualTo(200);
      assertThat(get(stack.proxyUri("echo"), "/y").statusCode()).isEqualTo(200);
    }
  }

  @Fixture
  static class InjectsInBeforeAll {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", first::uri).build();

    @BeforeAll
    static void inject() {
      hfi.inject(HfiFault.fault().abort(503));
    }

    @Test
    void test() {}
  }

  @Fixture
  static class SharedA {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", first::uri).build();

    @Test
    @InjectFault(upstream = "echo", abort = @Abort(httpStatus = 502))
    void test(HfiStack stack) {
      assertThat(get(stack.proxyUri("echo"), "/a").statusCode()).isEqualTo(502);
      SHARED.add(new Seen(stack.controlPlaneUri(), stack.proxyUri("echo")));
    }
  }

  @Fixture
  static class SharedB {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", second::uri).build();

    @Test
    @InjectFault(upstream = "echo", abort = @Abort(httpStatus = 504))
    void test(HfiStack stack) {
      assertThat(get(stack.proxyUri("echo"), "/b").statusCode()).isEqualTo(504);
      int before = second.requests.get();
      assertThat(get(stack.proxyUri("echo"), "/b").statusCode()).isEqualTo(504);
      assertThat(second.requests.get()).isEqualTo(before);
      SHARED.add(new Seen(stack.controlPlaneUri(), stack.proxyUri("echo")));
    }
  }

  @Fixture
  static class GhostNeverAcks {
    @RegisterExtension
    static HfiExtension hfi =
        HfiExtension.newInstance()
            .withUpstream("echo", first::uri)
            .withAckTimeout(Duration.ofSeconds(1))
            .build();

    /** A live instance that reports once and never again: it never ACKs what comes next. */
    @BeforeAll
    static void ghost(HfiStack stack) {
      stack.client().poll("ghost", "g1", 0, null, null, Duration.ofMillis(1));
    }

    @Test
    @InjectFault(upstream = "echo", abort = @Abort(httpStatus = 503))
    void test() {}
  }

  @Fixture
  static class GhostNacks {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", first::uri).build();

    /** An instance that says it rejected every version up to a large one. */
    @BeforeAll
    static void ghost(HfiStack stack) {
      stack.client().poll("ghost", "g2", 0, 1_000_000L, "bad regex", Duration.ofMillis(1));
    }

    @Test
    @InjectFault(upstream = "echo", abort = @Abort(httpStatus = 503))
    void test() {}
  }
}
