package dev.hfi.cli;

import dev.hfi.client.HfiClient;
import dev.hfi.client.HfiException;
import dev.hfi.client.StoreUnavailableException;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.store.etcd.EtcdPolicyStore;
import dev.hfi.testsupport.EtcdProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figures for the etcd store (a {@code main}, not a test; see docs/BENCHMARKS.md):
 *
 * <ol>
 *   <li>etcd killed and restarted under load (4 writers, 1 reader, an SSE subscriber and a
 *       readiness probe every 10 ms against an in-process control plane): time to detect (readyz
 *       503, first write 503), what is served meanwhile, and time to recover after etcd is back.
 *   <li>kill -9 of a control-plane child JVM during 1,000 applies, then a restart: how many applies
 *       got a 2xx and whether every one of them is stored with the same resourceVersion.
 * </ol>
 *
 * <pre>
 * mvn -B -ntp -q -pl hfi-control-plane test-compile exec:java@bench-etcd
 * </pre>
 */
public final class EtcdStoreBenchmark {
  private static final int ROUNDS = 3;
  private static final Duration OUTAGE = Duration.ofSeconds(5);

  private EtcdStoreBenchmark() {}

  /** Runs both parts and prints their tables. */
  public static void main(String[] args) throws Exception {
    outageUnderLoad();
    killDuringApplies();
    System.exit(0);
  }

  private record Round(
      double detectReadyMs,
      double detectWriteMs,
      int readsOk,
      int readsFailed,
      int writes503,
      double recoverReadyMs,
      double recoverWriteMs,
      double recoverPushMs) {}

  private static void outageUnderLoad() throws Exception {
    List<Round> rounds = new ArrayList<>();
    try (EtcdProcess etcd = EtcdProcess.start();
        EtcdPolicyStore store = EtcdPolicyStore.builder().withEndpoints(etcd.endpoint()).build();
        ControlPlaneServer server =
            ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
        HfiClient client =
            HfiClient.builder()
                .withBaseUri(server.uri())
                .withTimeout(Duration.ofSeconds(10))
                .build()) {
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong lastWriteOk = new AtomicLong();
      AtomicLong lastWrite503 = new AtomicLong();
      AtomicLong lastReadyOk = new AtomicLong();
      AtomicLong lastReady503 = new AtomicLong();
      AtomicLong lastPush = new AtomicLong();
      AtomicInteger readsOk = new AtomicInteger();
      AtomicInteger readsFailed = new AtomicInteger();
      AtomicInteger writes503 = new AtomicInteger();
      ExecutorService pool = Executors.newCachedThreadPool();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        pool.submit(
            () -> {
              for (int i = 0; running.get(); i++) {
                try {
                  client.apply(TestPolicies.abort("w" + writer + "-" + (i % 20), 500 + i % 50));
                  lastWriteOk.set(System.nanoTime());
                } catch (StoreUnavailableException e) {
                  writes503.incrementAndGet();
                  lastWrite503.set(System.nanoTime());
                }
              }
              return null;
            });
      }
      pool.submit(
          () -> {
            while (running.get()) {
              try {
                client.list();
                readsOk.incrementAndGet();
              } catch (HfiException e) {
                readsFailed.incrementAndGet();
              }
            }
            return null;
          });
      pool.submit(
          () -> {
            while (running.get()) {
              (client.isReady() ? lastReadyOk : lastReady503).set(System.nanoTime());
              TimeUnit.MILLISECONDS.sleep(10);
            }
            return null;
          });
      HfiClient.Subscription sse =
          client.subscribeRuleSets(null, rs -> lastPush.set(System.nanoTime()));
      TimeUnit.SECONDS.sleep(3);
      for (int r = 0; r < ROUNDS; r++) {
        readsOk.set(0);
        readsFailed.set(0);
        writes503.set(0);
        long killed = System.nanoTime();
        etcd.kill();
        double detectReady = firstAfter(lastReady503, killed);
        double detectWrite = firstAfter(lastWrite503, killed);
        TimeUnit.MILLISECONDS.sleep(OUTAGE.toMillis());
        int ok = readsOk.get();
        int failed = readsFailed.get();
        int w503 = writes503.get();
        etcd.restart();
        long back = System.nanoTime();
        rounds.add(
            new Round(
                detectReady,
                detectWrite,
                ok,
                failed,
                w503,
                firstAfter(lastReadyOk, back),
                firstAfter(lastWriteOk, back),
                firstAfter(lastPush, back)));
        TimeUnit.SECONDS.sleep(3);
      }
      running.set(false);
      sse.close();
      pool.shutdownNow();
    }
    System.out.println();
    System.out.println(
        "etcd killed under load ("
            + OUTAGE.toSeconds()
            + " s outage; times from the kill, and from etcd serving again after the restart)");
    System.out.println(
        "| round | readyz 503 after | first write 503 after | reads 200 / failed during outage |"
            + " writes 503 during outage | readyz 200 after restart | first write 2xx after"
            + " restart | first SSE push after restart |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
    int n = 1;
    for (Round r : rounds) {
      System.out.printf(
          "| %d | %.0f ms | %.0f ms | %d / %d | %d | %.0f ms | %.0f ms | %.0f ms |%n",
          n++,
          r.detectReadyMs,
          r.detectWriteMs,
          r.readsOk,
          r.readsFailed,
          r.writes503,
          r.recoverReadyMs,
          r.recoverWriteMs,
          r.recoverPushMs);
    }
  }

  /** Waits for {@code stamp} to move past {@code since}; milliseconds from {@code since}. */
  private static double firstAfter(AtomicLong stamp, long since) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (stamp.get() < since) {
      if (System.nanoTime() > deadline) {
        return Double.NaN;
      }
      TimeUnit.MILLISECONDS.sleep(1);
    }
    return (stamp.get() - since) / 1e6;
  }

  private static void killDuringApplies() throws Exception {
    System.out.println();
    System.out.println("kill -9 of a control plane (child JVM) during 1,000 sequential applies");
    System.out.println(
        "| run | killed after | 2xx | failed | 2xx stored with same resourceVersion | failed but"
            + " stored | restart to listening |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
    for (int run = 1; run <= 2; run++) {
      try (EtcdProcess etcd = EtcdProcess.start();
          ControlPlaneProcess cp =
              ControlPlaneProcess.start(
                  "--store", "etcd", "--etcd-endpoints", etcd.endpoint().toString());
          HfiClient client =
              HfiClient.builder()
                  .withBaseUri(cp.uri())
                  .withTimeout(Duration.ofSeconds(10))
                  .build()) {
        int killAfter = 200 + run * 150;
        AppliesAcrossAKill writes = new AppliesAcrossAKill(client, killAfter);
        ExecutorService one = Executors.newSingleThreadExecutor();
        Future<?> writer = one.submit(writes);
        writes.reached().await();
        cp.kill();
        long t = System.nanoTime();
        cp.restart();
        double restartMs = (System.nanoTime() - t) / 1e6;
        writes.restarted();
        writer.get();
        one.shutdown();
        Map<String, String> acknowledged = writes.acknowledged();
        List<String> failed = writes.failed();
        Map<String, String> stored = new ConcurrentHashMap<>();
        client.list().items().forEach(p -> stored.put(p.name(), p.metadata().resourceVersion()));
        long same =
            acknowledged.entrySet().stream()
                .filter(e -> e.getValue().equals(stored.get(e.getKey())))
                .count();
        long failedStored = failed.stream().filter(stored::containsKey).count();
        System.out.printf(
            "| %d | %d | %d | %d | %d of %d | %d | %.0f ms |%n",
            run,
            killAfter,
            acknowledged.size(),
            failed.size(),
            same,
            acknowledged.size(),
            failedStored,
            restartMs);
      }
    }
  }
}
