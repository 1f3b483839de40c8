package dev.hfi.junit;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.junit.internal.FaultAnnotations;
import dev.hfi.junit.internal.SharedStack;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * The extension's cost: the stack's cold start (in this fresh JVM) and the overhead one
 * {@code @InjectFault} adds to a test (apply, wait for the ACK, delete, wait for the ACK), measured
 * directly and end to end through JUnit. Prints a table. Run with
 *
 * <pre>
 * mvn -B -ntp -q -pl hfi-junit -am install -DskipTests
 * mvn -B -ntp -q -pl hfi-junit exec:java -Dexec.args="200"
 * </pre>
 *
 * <p>The direct part measures the container stack with {@code -Dhfi.stack=containers}.
 */
public final class JUnitExtensionBenchmark {
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

  private JUnitExtensionBenchmark() {}

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int warmup = Math.max(20, iterations / 4);
    EchoUpstream upstream = new EchoUpstream();
    try {
      long t0 = System.nanoTime();
      // Embedded on memory unless -Dhfi.stack / -Dhfi.dataPlane / -Dhfi.store say otherwise.
      SharedStack.Modes modes =
          SharedStack.resolve(
              DataPlaneMode.DEFAULT, StoreMode.DEFAULT, StackMode.DEFAULT, "benchmark");
      SharedStack stack = SharedStack.start(modes);
      long t1 = System.nanoTime();
      stack.dataPlane("echo", upstream.uri(), ACK_TIMEOUT);
      long t2 = System.nanoTime();
      EchoUpstream other = new EchoUpstream();
      long t3 = System.nanoTime();
      stack.dataPlane("other", other.uri(), ACK_TIMEOUT);
      long t4 = System.nanoTime();

      InjectFault annotation =
          Fixture1.class.getDeclaredMethod("test").getAnnotation(InjectFault.class);
      FaultInjectionPolicy policy =
          FaultAnnotations.toPolicy(
              annotation,
              "benchmark",
              "benchmark-1",
              Set.of("echo", "other"),
              JUnitExtensionBenchmark.class.getClassLoader());
      double[] direct = new double[iterations];
      double[] applyPart = new double[iterations];
      for (int i = -warmup; i < iterations; i++) {
        long s = System.nanoTime();
        stack.applyAndAwait(List.of(policy), ACK_TIMEOUT);
        long applied = System.nanoTime();
        stack.deleteAndAwait(List.of(policy.name()), ACK_TIMEOUT);
        if (i >= 0) {
          direct[i] = (System.nanoTime() - s) / 1e6;
          applyPart[i] = (applied - s) / 1e6;
        }
      }
      stack.close();
      other.close();

      double withFault = junitRun(FixtureWithFault.class);
      double plain = junitRun(FixturePlain.class);

      Arrays.sort(direct);
      Arrays.sort(applyPart);
      System.out.println();
      System.out.println(
          "## JUnit extension (" + iterations + " iterations, " + warmup + " warm-up)");
      System.out.println();
      System.out.println("| measurement | value |");
      System.out.println("|---|---|");
      row("cold start: control plane (" + modes + ")", ms(t1 - t0));
      row("cold start: first data-plane listener (load filter, bind, ACK)", ms(t2 - t1));
      row("cold start: total (target <= 2000 ms)", ms(t2 - t0));
      row("warm: one more data-plane listener", ms(t4 - t3));
      row(
          "per test, one @InjectFault, apply+ACK+delete+ACK: median (target <= 25 ms)",
          direct[iterations / 2]);
      row("  of which apply+ACK: median", applyPart[iterations / 2]);
      row("  p90", direct[(int) (iterations * 0.9)]);
      row("  p99", direct[Math.min(iterations - 1, (int) (iterations * 0.99))]);
      row("  max", direct[iterations - 1]);
      row(
          "through JUnit: mean per test with @InjectFault minus without ("
              + FixtureWithFault.REPETITIONS
              + " repetitions)",
          withFault - plain);
      System.out.println();
    } finally {
      upstream.close();
      SHARED_UPSTREAM.close();
    }
    // Client threads of the stopped stacks idle out only after a minute; do not wait for them.
    System.exit(0);
  }

  /** Mean wall time per test of a fixture run through the JUnit Platform (stack start excluded). */
  private static double junitRun(Class<?> fixture) {
    EngineExecutionResults results = Fixtures.run(fixture);
    long failed = results.testEvents().failed().count();
    if (failed > 0) {
      throw new IllegalStateException(fixture.getSimpleName() + ": " + failed + " tests failed");
    }
    List<Long> times =
        results.testEvents().finished().stream()
            .map(
                finished ->
                    results.testEvents().started().stream()
                        .filter(s -> s.getTestDescriptor().equals(finished.getTestDescriptor()))
                        .findFirst()
                        .map(s -> Duration.between(s.getTimestamp(), finished.getTimestamp()))
                        .orElseThrow()
                        .toNanos())
            .sorted()
            .toList();
    // The slowest test, the first, also starts the stack and its listener: left out.
    return times.subList(0, times.size() - 1).stream()
            .mapToLong(Long::longValue)
            .average()
            .orElse(0)
        / 1e6;
  }

  private static double ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMicros(nanos) / 1000.0;
  }

  private static void row(String name, double ms) {
    System.out.println("| " + name + " | " + String.format(Locale.ROOT, "%.1f ms", ms) + " |");
  }

  /** Where the benchmark's policy comes from: the annotation a user would write. */
  static final class Fixture1 {
    @InjectFault(upstream = "echo", path = "/bench", abort = @Abort(httpStatus = 503))
    void test() {}
  }

  static final EchoUpstream SHARED_UPSTREAM = new EchoUpstream();

  @Fixture
  static class FixtureWithFault {
    static final int REPETITIONS = 200;

    @RegisterExtension
    static HfiExtension hfi =
        HfiExtension.newInstance().withUpstream("echo", SHARED_UPSTREAM::uri).build();

    @RepeatedTest(REPETITIONS)
    @InjectFault(upstream = "echo", path = "/bench", abort = @Abort(httpStatus = 503))
    void test() {}
  }

  @Fixture
  static class FixturePlain {
    @RegisterExtension
    static HfiExtension hfi =
        HfiExtension.newInstance().withUpstream("echo", SHARED_UPSTREAM::uri).build();

    @RepeatedTest(FixtureWithFault.REPETITIONS)
    void test() {}
  }
}
