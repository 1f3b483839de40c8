package dev.hfi.junit;

import static dev.hfi.junit.EchoUpstream.get;
import static dev.hfi.junit.HfiFault.fault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Under JUnit's parallel execution, tests that inject faults run alone while the others run side by
 * side (the locks of {@link HfiResourceLocks}), and a test without the lock it needs is refused
 * with the fix, never run with faults mixed in.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ParallelExecutionIT {
  static final EchoUpstream echo = new EchoUpstream();

  /** Test bodies running now, and what went wrong in them (fixtures cannot fail this test). */
  static final AtomicInteger running = new AtomicInteger();

  static final List<String> problems = new CopyOnWriteArrayList<>();

  /** Two tests without faults meet here when {@link #meet}: only if they run at the same time. */
  static final CyclicBarrier sideBySide = new CyclicBarrier(2);

  static volatile boolean meet;

  @AfterAll
  static void stopUpstream() {
    echo.close();
  }

  @Test
  void testsWithoutFaultsRunSideBySide() {
    problems.clear();
    sideBySide.reset();
    meet = true;

    EngineExecutionResults results = runInParallel(QuietRegistered.class, QuietToo.class);

    assertSucceeded(results, 3);
  }

  @Test
  void faultTestsRunAloneWhileTheOthersSeeNoFault() {
    problems.clear();
    // Waiting for each other here could deadlock behind a fault test waiting for the lock.
    meet = false;

    EngineExecutionResults results =
        runInParallel(
            FaultsDeclared.class, FaultsRegistered.class, QuietRegistered.class, QuietToo.class);

    assertSucceeded(results, 7);
  }

  private static void assertSucceeded(EngineExecutionResults results, int tests) {
    assertThat(results.testEvents().failed().stream())
        .map(e -> e.getTestDescriptor().getDisplayName() + ": " + e.getPayload().orElse(null))
        .isEmpty();
    results.testEvents().assertStatistics(s -> s.started(tests).succeeded(tests));
    assertThat(problems).isEmpty();
  }

  @Test
  void aTestWithoutTheLockIsRefusedWithTheFix() {
    EngineExecutionResults results = runInParallel(Unlocked.class, InjectsHoldingOnlyRead.class);

    results
        .testEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("injects"),
                finishedWithFailure(
                    instanceOf(ExtensionConfigurationException.class),
                    message(
                        "Unlocked.injects(): JUnit runs tests in parallel"
                            + " (junit.jupiter.execution.parallel.enabled=true) and this test"
                            + " injects faults without holding HFI's stack lock alone, so tests"
                            + " running beside it would see its faults; put"
                            + " @ResourceLock(providers = HfiResourceLocks.class) on the class"
                            + " (tests that inject then run alone; @HfiTest classes have it), or"
                            + " @ResourceLock(HfiExtension.STACK_LOCK) on the test"))))
        .haveExactly(
            1,
            event(
                test("quiet"),
                finishedWithFailure(
                    instanceOf(ExtensionConfigurationException.class),
                    message(
                        m ->
                            m.startsWith("Unlocked.quiet(): JUnit runs tests in parallel")
                                && m.contains(
                                    "does not hold HFI's stack lock, so faults injected by tests"
                                        + " running beside it could reach its requests")))))
        .haveExactly(
            1,
            event(
                test("injectsMidTest"),
                finishedWithFailure(
                    instanceOf(ExtensionConfigurationException.class),
                    message(
                        "InjectsHoldingOnlyRead.injectsMidTest(): inject(...) under JUnit's"
                            + " parallel execution (junit.jupiter.execution.parallel.enabled=true)"
                            + " needs the test to hold HFI's stack lock alone, so that no test"
                            + " beside it sees the fault; put @ResourceLock(HfiExtension.STACK_LOCK)"
                            + " on the test method (or its class)"))))
        .haveExactly(1, event(test("injectsHoldingTheLock"), finishedSuccessfully()));
  }

  private static EngineExecutionResults runInParallel(Class<?>... classes) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter(Fixture.PARAMETER, "true")
        .configurationParameter(HfiResourceLocks.PARALLEL, "true")
        .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
        .configurationParameter(
            "junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
        .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
        .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
        .selectors(Arrays.stream(classes).map(c -> selectClass(c)).toArray(ClassSelector[]::new))
        .execute();
  }

  /** A fault test's body: nothing else runs, and its fault is what the proxy answers. */
  static void aloneWithMyFault(HfiStack stack, int status) {
    if (running.incrementAndGet() != 1) {
      problems.add("a fault test ran beside another test");
    }
    try {
      for (int i = 0; i < 5; i++) {
        int seen = get(stack.proxyUri("echo"), "/p").statusCode();
        if (seen != status) {
          problems.add("a fault test expecting " + status + " got " + seen);
        }
      }
    } finally {
      running.decrementAndGet();
    }
  }

  /** A test without faults: no fault reaches it; with {@code twin}, it may wait for its twin. */
  static void quiet(HfiStack stack, boolean twin) throws Exception {
    running.incrementAndGet();
    try {
      if (twin && meet) {
        sideBySide.await(30, TimeUnit.SECONDS);
      }
      for (int i = 0; i < 5; i++) {
        int seen = get(stack.proxyUri("echo"), "/p").statusCode();
        if (seen != 200) {
          problems.add("a test without faults got " + seen);
        }
      }
    } finally {
      running.decrementAndGet();
    }
  }

  /**
   * @HfiTest takes fixed URLs: this one only checks that it runs alone (its proxy is unused).
   */
  @Fixture
  @HfiTest(upstreams = @Upstream(name = "echo", url = "http://127.0.0.1:9"))
  static class FaultsDeclared {
    @Test
    @InjectFault(abort = @Abort(httpStatus = 501))
    void first() {
      if (running.incrementAndGet() != 1) {
        problems.add("an @HfiTest fault test ran beside another test");
      }
      running.decrementAndGet();
    }
  }

  @Fixture
  @ResourceLock(providers = HfiResourceLocks.class)
  static class FaultsRegistered {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", echo::uri).build();

    @Test
    @InjectFault(abort = @Abort(httpStatus = 502))
    void annotated(HfiStack stack) {
      aloneWithMyFault(stack, 502);
    }

    @Test
    @ResourceLock(HfiExtension.STACK_LOCK)
    void injected(HfiStack stack) {
      hfi.inject(fault().abort(503));
      aloneWithMyFault(stack, 503);
    }

    @Test
    void withoutFaults(HfiStack stack) {
      aloneWithMyFault(stack, 200);
    }
  }

  @Fixture
  @ResourceLock(providers = HfiResourceLocks.class)
  static class QuietRegistered {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", echo::uri).build();

    @Test
    void meets(HfiStack stack) throws Exception {
      quiet(stack, true);
    }

    @Test
    void alone(HfiStack stack) throws Exception {
      quiet(stack, false);
    }
  }

  @Fixture
  @ResourceLock(providers = HfiResourceLocks.class)
  static class QuietToo {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", echo::uri).build();

    @Test
    void meets(HfiStack stack) throws Exception {
      quiet(stack, true);
    }
  }

  @Fixture
  static class Unlocked {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", echo::uri).build();

    @Test
    @InjectFault(abort = @Abort(httpStatus = 503))
    void injects() {}

    @Test
    void quiet() {}
  }

  @Fixture
  @ResourceLock(providers = HfiResourceLocks.class)
  static class InjectsHoldingOnlyRead {
    @RegisterExtension
    static HfiExtension hfi = HfiExtension.newInstance().withUpstream("echo", echo::uri).build();

    @Test
    void injectsMidTest() {
      hfi.inject(fault().abort(503));
    }

    @Test
    @ResourceLock(HfiExtension.STACK_LOCK)
    void injectsHoldingTheLock() {
      hfi.inject(fault().abort(504));
      assertThat(get(hfi.proxyUri("echo"), "/p").statusCode()).isEqualTo(504);
    }
  }
}
