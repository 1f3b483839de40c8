package dev.hfi.junit;

import dev.hfi.client.HfiClient;
import dev.hfi.testkit.DataPlane;
import dev.hfi.testkit.JournaledRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The running HFI stack as one test class sees it: where to point clients ({@link #proxyUri}), how
 * often faults were injected during the current test ({@link #injections}), and the control-plane
 * client for anything else. Inject it as a parameter of a test, lifecycle method or constructor.
 *
 * <p>Counts are per test: the extension takes a baseline of the data planes' counters once the
 * test's policies are ACKed, and {@link #injections} reports what happened since. The stack itself
 * is shared by every class of the run; do not close the client. Thread-safe.
 *
 * <pre>{@code
 * @Test
 * @InjectFault(upstream = "orders", abort = @Abort(httpStatus = 503), maxInjections = 2)
 * void retries(HfiStack stack) {
 *   OrdersClient client = new OrdersClient(stack.proxyUri("orders"));
 *   client.placeOrder();
 *   assertThat(stack.injections("orders")).isEqualTo(2);
 * }
 * }</pre>
 */
public final class HfiStack {
  private static final Pattern POLICY_COUNTER =
      Pattern.compile("hfi\\.policy\\..+\\.injections_total");

  private final Map<String, DataPlane> dataPlanes;
  private final HfiClient client;
  private volatile Map<String, Map<String, Long>> baseline = Map.of();
  private volatile Map<String, Long> journalMarks = Map.of();

  HfiStack(Map<String, DataPlane> dataPlanes, HfiClient client) {
    this.dataPlanes = Map.copyOf(dataPlanes);
    this.client = client;
  }

  /** The names of the upstreams this class declared. */
  public Set<String> upstreams() {
    return dataPlanes.keySet();
  }

  /**
   * Where a client reaches {@code upstream} through its proxy listener, e.g. {@code
   * http://127.0.0.1:41234}.
   *
   * @throws IllegalArgumentException for an upstream the class did not declare
   */
  public URI proxyUri(String upstream) {
    return dataPlane(upstream).proxyUri(upstream);
  }

  /**
   * How many faults were injected during the current test: by the policy named {@code
   * policyOrUpstream}, or, when it names an upstream, by every policy on that upstream's listener.
   */
  public long injections(String policyOrUpstream) {
    DataPlane byUpstream = dataPlanes.get(policyOrUpstream);
    if (byUpstream != null) {
      long total = 0;
      for (Map.Entry<String, Long> e : byUpstream.metrics().entrySet()) {
        if (POLICY_COUNTER.matcher(e.getKey()).matches()) {
          total += e.getValue() - baselineOf(policyOrUpstream, e.getKey());
        }
      }
      return total;
    }
    String metric = "hfi.policy." + policyOrUpstream + ".injections_total";
    long total = 0;
    for (String upstream : dataPlanes.keySet()) {
      total += counter(upstream, metric) - baselineOf(upstream, metric);
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
    return client;
  }

  /** The control plane's address. */
  public URI controlPlaneUri() {
    return client.baseUri();
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
    if (dp == null) {
      throw new IllegalArgumentException(
          "no upstream \""
              + upstream
              + "\" in this test class; declared: "
              + dataPlanes.keySet()
              + " (add it to @HfiTest(upstreams = ...) or HfiExtension.newInstance().withUpstream)");
    }
    return dp;
  }
}
