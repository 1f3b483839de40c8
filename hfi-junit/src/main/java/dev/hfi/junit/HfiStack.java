package dev.hfi.junit;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiClient;
import dev.hfi.junit.internal.FaultAnnotations;
import dev.hfi.junit.internal.FaultSpec;
import dev.hfi.junit.internal.SharedStack;
import dev.hfi.testkit.DataPlane;
import dev.hfi.testkit.JournaledRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The running HFI stack as one test class sees it: where to point clients ({@link #proxyUri}),
 * faults injected from inside a test ({@link #inject}), how often faults were injected during the
 * current test ({@link #injectionsOnUpstream}, {@link #injectionsByPolicy}), and the control-plane
 * client for anything else. Inject it as a parameter of a test, lifecycle method or constructor, or
 * use the same methods on a registered {@link HfiExtension}.
 *
 * <p>Counts are per test: the extension takes a baseline of the data planes' counters once the
 * test's {@link InjectFault} policies are ACKed, and the counters report what happened since. An
 * upstream's proxy listener starts at the class's first test, or earlier at the first {@link
 * #proxyUri} for it. The stack itself is shared by every class of the run; do not close the client.
 * Thread-safe.
 *
 * <pre>{@code
 * @Test
 * @InjectFault(upstream = "orders", abort = @Abort(httpStatus = 503), maxInjections = 2)
 * void retries(HfiStack stack) {
 *   OrdersClient client = new OrdersClient(stack.proxyUri("orders"));
 *   client.placeOrder();
 *   assertThat(stack.injectionsOnUpstream("orders")).isEqualTo(2);
 * }
 * }</pre>
 */
public final class HfiStack {
  private static final Pattern POLICY_COUNTER =
      Pattern.compile("hfi\\.policy\\..+\\.injections_total");

  private final Set<String> upstreams;
  private final Function<String, DataPlane> open;
  private final Map<String, DataPlane> dataPlanes = new ConcurrentHashMap<>();
  private final SharedStack shared;
  private final Duration ackTimeout;
  private volatile Map<String, Map<String, Long>> baseline = Map.of();
  private volatile TestScope scope;
  private volatile Map<String, Long> journalMarks = Map.of();

  HfiStack(
      Set<String> upstreams,
      Function<String, DataPlane> open,
      SharedStack shared,
      Duration ackTimeout) {
    this.upstreams = Collections.unmodifiableSet(new LinkedHashSet<>(upstreams));
    this.open = open;
    this.shared = shared;
    this.ackTimeout = ackTimeout;
  }

  /** The names of the upstreams this class declared. */
  public Set<String> upstreams() {
    return upstreams;
  }

  /**
   * Where a client reaches {@code upstream} through its proxy listener, e.g. {@code
   * http://127.0.0.1:41234}; starts the listener if the class's first test has not yet.
   *
   * @throws IllegalArgumentException for an upstream the class did not declare
   */
  public URI proxyUri(String upstream) {
    return dataPlane(upstream).proxyUri(upstream);
  }

  /**
   * Applies {@code fault} and returns once every live data plane has ACKed it; the extension
   * removes it after the current test (passed or failed), as it does {@link InjectFault}'s. Call it
   * from a test or a {@code @BeforeEach}/{@code @AfterEach} method.
   *
   * @throws org.junit.jupiter.api.extension.ExtensionConfigurationException for a bad setting
   *     (naming the {@link HfiFault} method) or, under JUnit's parallel execution, from a test that
   *     does not hold the stack lock
   * @throws IllegalStateException outside a test
   * @throws AssertionError when a data plane rejects it or does not ACK within the ACK timeout
   */
  public InjectedFault inject(HfiFault fault) {
    Objects.requireNonNull(fault, "fault");
    TestScope s = scope;
    if (s == null) {
      throw new IllegalStateException(
          "inject(...) works while a test runs (in the test or its @BeforeEach/@AfterEach"
              + " methods); for every test of a class, put @InjectFault on the class");
    }
    if (s.injectRefusal != null) {
      throw new ExtensionConfigurationException(s.injectRefusal);
    }
    String at = "inject(fault()) in " + s.where;
    FaultInjectionPolicy policy =
        fault
            .spec()
            .toPolicy(
                at,
                FaultSpec.BUILDER,
                FaultAnnotations.policyName(
                    s.testClass,
                    s.method,
                    "inject",
                    Integer.toString(s.injected.incrementAndGet())),
                upstreams,
                null);
    if (s.policies.contains(policy.name())) {
      throw new ExtensionConfigurationException(
          at
              + ": named: a policy called \""
              + policy.name()
              + "\" is already in force in this test; give each its own name");
    }
    // Recorded before applying, so that cleanup also removes a partly applied one.
    s.policies.add(policy.name());
    shared.applyAndAwait(List.of(policy), ackTimeout);
    return new InjectedFault(this, policy.name());
  }

  /**
   * The names of the policies in force for the current test: its {@link InjectFault}s (class and
   * method) and what it {@link #inject}ed and did not remove; empty between tests.
   */
  public List<String> currentPolicies() {
    TestScope s = scope;
    return s == null ? List.of() : List.copyOf(s.policies);
  }

  /**
   * How many faults the proxy of {@code upstream} injected during the current test, by every
   * policy.
   *
   * @throws IllegalArgumentException for an upstream the class did not declare
   */
  public long injectionsOnUpstream(String upstream) {
    DataPlane dp = dataPlane(upstream);
    long total = 0;
    for (Map.Entry<String, Long> e : dp.metrics().entrySet()) {
      if (POLICY_COUNTER.matcher(e.getKey()).matches()) {
        total += e.getValue() - baselineOf(upstream, e.getKey());
      }
    }
    return total;
  }

  /**
   * How many times the policy named {@code policy} was injected during the current test, on every
   * upstream of the class.
   *
   * @throws IllegalArgumentException when {@code policy} is an upstream's name and no policy of the
   *     current test: use {@link #injectionsOnUpstream} for that
   */
  public long injectionsByPolicy(String policy) {
    Objects.requireNonNull(policy, "policy");
    if (upstreams.contains(policy) && !currentPolicies().contains(policy)) {
      throw new IllegalArgumentException(
          "\""
              + policy
              + "\" is an upstream, not a policy of this test ("
              + currentPolicies()
              + "); count its injections with injectionsOnUpstream(\""
              + policy
              + "\")");
    }
    String metric = "hfi.policy." + policy + ".injections_total";
    long total = 0;
    for (Map.Entry<String, DataPlane> e : dataPlanes.entrySet()) {
      total += e.getValue().metrics().getOrDefault(metric, 0L) - baselineOf(e.getKey(), metric);
    }
    return total;
  }

  /** Requests aborted by the proxy of {@code upstream} during the current test. */
  public long aborts(String upstream) {
    return delta(upstream, "hfi.faults.aborts_total");
  }

  /** Requests delayed by the proxy of {@code upstream} during the current test. */
  public long delays(String upstream) {
    return delta(upstream, "hfi.faults.delays_total");
  }

  /** The rule-set version the proxy of {@code upstream} has applied. */
  public long ruleSetVersion(String upstream) {
    return dataPlane(upstream).metrics().getOrDefault("hfi.ruleset.version", 0L);
  }

  /** The control-plane client: policies, nodes, events. Shared by the run: do not close it. */
  public HfiClient client() {
    return shared.client();
  }

  /** The control plane's address. */
  public URI controlPlaneUri() {
    return shared.client().baseUri();
  }

  /**
   * The requests that reached this class's upstreams through their proxies since the current test
   * started (once its policies were ACKed), ordered by arrival; every request answered before this
   * call is in (docs/JUNIT.md, "Request journal").
   */
  public RecordedRequests requests() {
    List<JournaledRequest> all = new ArrayList<>();
    Map<String, Long> marks = journalMarks;
    dataPlanes.forEach(
        (name, dp) -> {
          for (JournaledRequest r : dp.journal().since(marks.getOrDefault(name, 0L))) {
            if (r.upstream().equals(name)) {
              all.add(r);
            }
          }
        });
    all.sort(Comparator.comparing(JournaledRequest::at));
    return new RecordedRequests(all);
  }

  void takeBaseline() {
    Map<String, Map<String, Long>> now = new HashMap<>();
    Map<String, Long> marks = new HashMap<>();
    dataPlanes.forEach(
        (name, dp) -> {
          now.put(name, new LinkedHashMap<>(dp.metrics()));
          marks.put(name, dp.journal().mark());
        });
    baseline = now;
    journalMarks = marks;
  }

  /** Starts the listeners of every upstream not started yet. */
  void startAll() {
    upstreams.forEach(this::dataPlane);
  }

  /** The current test begins: what it injects is recorded in the returned scope. */
  TestScope begin(String testClass, String method, String injectRefusal) {
    TestScope s = new TestScope(testClass, method, injectRefusal);
    scope = s;
    return s;
  }

  /** The test of {@code s} has ended (its policies are removed). */
  void end(TestScope s) {
    if (scope == s) {
      scope = null;
    }
  }

  void remove(String policy) {
    shared.deleteAndAwait(List.of(policy), ackTimeout);
    TestScope s = scope;
    if (s != null) {
      s.policies.remove(policy);
    }
  }

  /** What one test applied, for removal after it. */
  static final class TestScope {
    final String testClass;
    final String method;
    final String where;
    final String injectRefusal;
    final List<String> policies = new CopyOnWriteArrayList<>();
    final AtomicInteger injected = new AtomicInteger();

    TestScope(String testClass, String method, String injectRefusal) {
      this.testClass = testClass;
      this.method = method;
      this.where = testClass + "." + method + "()";
      this.injectRefusal = injectRefusal;
    }
  }

  private long delta(String upstream, String metric) {
    return counter(upstream, metric) - baselineOf(upstream, metric);
  }

  private long counter(String upstream, String metric) {
    return dataPlane(upstream).metrics().getOrDefault(metric, 0L);
  }

  private long baselineOf(String upstream, String metric) {
    return baseline.getOrDefault(upstream, Map.of()).getOrDefault(metric, 0L);
  }

  private DataPlane dataPlane(String upstream) {
    DataPlane dp = dataPlanes.get(upstream);
    if (dp != null) {
      return dp;
    }
    if (!upstreams.contains(upstream)) {
      throw new IllegalArgumentException(
          "no upstream \""
              + upstream
              + "\" in this test class; declared: "
              + upstreams
              + " (add it to @HfiTest(upstreams = ...) or HfiExtension.newInstance().withUpstream)");
    }
    synchronized (this) {
      return dataPlanes.computeIfAbsent(upstream, open);
    }
  }
}
