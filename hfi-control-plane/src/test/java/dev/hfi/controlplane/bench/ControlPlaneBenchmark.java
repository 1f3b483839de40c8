package dev.hfi.controlplane.bench;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.FaultInjectionPolicy.Abort;
import dev.hfi.client.FaultInjectionPolicy.Fault;
import dev.hfi.client.FaultInjectionPolicy.Match;
import dev.hfi.client.FaultInjectionPolicy.Metadata;
import dev.hfi.client.FaultInjectionPolicy.Spec;
import dev.hfi.client.FaultInjectionPolicy.StringMatch;
import dev.hfi.client.HfiClient;
import dev.hfi.client.RuleSet;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.controlplane.PolicyStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Control-plane benchmark over real HTTP on loopback (server and clients in one JVM). Prints two
 * tables: rule-set propagation from a policy POST to 1, 100 and 1,000 SSE subscribers (p50/p99),
 * and apply/list throughput with 10,000 policies.
 *
 * <pre>
 * mvn -q -pl hfi-control-plane test-compile exec:java@bench
 * </pre>
 */
public final class ControlPlaneBenchmark {
  private static final int[] SUBSCRIBERS = {1, 100, 1000};
  private static final int POLICIES = 10_000;

  private ControlPlaneBenchmark() {}

  /** Runs both measurements and prints the tables. */
  public static void main(String[] args) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "HFI control-plane benchmark: %d cores, Java %s, max heap %d MiB%n%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.println(
        "Propagation: POST /v1/policies -> rule set received by every SSE subscriber");
    System.out.println();
    System.out.println(
        "| subscribers | changes | all reached p50 | all reached p99 | per subscriber p50 | per subscriber p99 |");
    System.out.println("|---:|---:|---:|---:|---:|---:|");
    for (int n : SUBSCRIBERS) {
      propagation(n, n >= 1000 ? 50 : 200);
    }
    System.out.println();
    throughput();
  }

  private static void propagation(int subscribers, int changes) throws Exception {
    try (MemoryPolicyStore store = new MemoryPolicyStore();
        ControlPlaneServer server = server(store);
        HfiClient client = client(server)) {
      AtomicLong target = new AtomicLong(Long.MAX_VALUE);
      long[] arrival = new long[subscribers];
      CountDownLatch[] latch = {new CountDownLatch(subscribers)};
      List<HfiClient.Subscription> subs = new ArrayList<>();
      for (int i = 0; i < subscribers; i++) {
        int index = i;
        long[] counted = {-1};
        subs.add(
            client.subscribeRuleSets(
                null,
                (RuleSet rs) -> {
                  long t = target.get();
                  if (t == Long.MAX_VALUE && counted[0] < 0) {
                    counted[0] = 0;
                    latch[0].countDown();
                  } else if (rs.version() >= t && counted[0] < t) {
                    counted[0] = t;
                    arrival[index] = System.nanoTime();
                    latch[0].countDown();
                  }
                }));
      }
      await(latch[0], "initial rule set to " + subscribers + " subscribers");
      int warmup = Math.min(20, changes / 5);
      long[] all = new long[changes];
      long[] each = new long[changes * subscribers];
      for (int c = -warmup; c < changes; c++) {
        latch[0] = new CountDownLatch(subscribers);
        // The only writer: the next revision is known, and must be set before a fast push lands.
        long expected = store.revision() + 1;
        target.set(expected);
        long start = System.nanoTime();
        long revision = client.apply(policy("p" + (c + warmup), 503)).revision();
        if (revision != expected) {
          throw new IllegalStateException("revision " + revision + ", expected " + expected);
        }
        await(latch[0], "rule set " + revision);
        if (c >= 0) {
          long max = 0;
          for (int s = 0; s < subscribers; s++) {
            long d = arrival[s] - start;
            each[c * subscribers + s] = d;
            max = Math.max(max, d);
          }
          all[c] = max;
        }
      }
      subs.forEach(HfiClient.Subscription::close);
      System.out.printf(
          Locale.ROOT,
          "| %d | %d | %s | %s | %s | %s |%n",
          subscribers,
          changes,
          ms(percentile(all, 50)),
          ms(percentile(all, 99)),
          ms(percentile(each, 50)),
          ms(percentile(each, 99)));
    }
  }

  private static void throughput() throws Exception {
    try (MemoryPolicyStore store = new MemoryPolicyStore();
        ControlPlaneServer server = server(store);
        HfiClient client = client(server)) {
      System.out.printf(Locale.ROOT, "Throughput with %,d policies%n%n", POLICIES);
      System.out.println("| operation | count | threads | total | per second | mean latency |");
      System.out.println("|---|---:|---:|---:|---:|---:|");
      row("apply (create)", POLICIES, 1, applyAll(client, 1, 0, 503));
      row("apply (configure)", POLICIES, 8, applyAll(client, 8, 0, 500));
      row("apply (unchanged)", POLICIES, 8, applyAll(client, 8, 0, 500));
      for (int i = 0; i < 3; i++) {
        client.list();
      }
      int lists = 30;
      long start = System.nanoTime();
      int size = 0;
      for (int i = 0; i < lists; i++) {
        size = client.list().items().size();
      }
      if (size != POLICIES) {
        throw new IllegalStateException("listed " + size + " policies, expected " + POLICIES);
      }
      row("list (" + POLICIES + " items)", lists, 1, System.nanoTime() - start);
      CountDownLatch got = new CountDownLatch(1);
      AtomicLong want = new AtomicLong(Long.MAX_VALUE);
      try (HfiClient.Subscription sub =
          client.subscribeRuleSets(
              null,
              rs -> {
                if (rs.version() >= want.get()) {
                  got.countDown();
                }
              })) {
        want.set(store.revision() + 1);
        long t0 = System.nanoTime();
        client.apply(policy("p0", 502));
        await(got, "rule set with " + POLICIES + " rules");
        System.out.println();
        System.out.printf(
            Locale.ROOT,
            "One change with %,d policies stored reaches an SSE subscriber in %s (rule set %,d bytes).%n",
            POLICIES,
            ms(System.nanoTime() - t0),
            server.ruleSet().json().length());
      }
    }
  }

  private static long applyAll(HfiClient client, int threads, int from, int status)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long start = System.nanoTime();
      List<Future<?>> parts = new ArrayList<>();
      int per = POLICIES / threads;
      for (int t = 0; t < threads; t++) {
        int lo = from + t * per;
        int hi = t == threads - 1 ? from + POLICIES : lo + per;
        parts.add(
            pool.submit(
                () -> {
                  for (int i = lo; i < hi; i++) {
                    client.apply(policy("p" + i, status));
                  }
                }));
      }
      for (Future<?> p : parts) {
        p.get();
      }
      return System.nanoTime() - start;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void row(String op, int count, int threads, long nanos) {
    double seconds = nanos / 1e9;
    System.out.printf(
        Locale.ROOT,
        "| %s | %,d | %d | %.2f s | %,.0f | %s |%n",
        op,
        count,
        threads,
        seconds,
        count / seconds,
        ms(nanos * threads / count));
  }

  private static FaultInjectionPolicy policy(String name, int status) {
    return FaultInjectionPolicy.of(
        Metadata.named(name),
        new Spec(
            null,
            null,
            new Match(StringMatch.prefix("/api/" + name), StringMatch.exact("POST"), null),
            new Fault(
                BigDecimal.valueOf(50), new Abort(status, null, "injected", null), null, null),
            null));
  }

  private static ControlPlaneServer server(PolicyStore store) {
    return ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
  }

  private static HfiClient client(ControlPlaneServer server) {
    return HfiClient.builder()
        .withBaseUri(server.uri())
        .withTimeout(Duration.ofSeconds(60))
        .build();
  }

  private static void await(CountDownLatch latch, String what) throws InterruptedException {
    if (!latch.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("timed out waiting for " + what);
    }
  }

  private static long percentile(long[] values, int p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
  }
}
