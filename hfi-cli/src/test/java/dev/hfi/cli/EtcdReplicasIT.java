package dev.hfi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.ConflictException;
import dev.hfi.client.ControlPlaneEvent;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.FaultInjectionPolicy.Metadata;
import dev.hfi.client.HfiClient;
import dev.hfi.client.RuleSet;
import dev.hfi.client.Streams;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.store.etcd.EtcdPolicyStore;
import dev.hfi.testsupport.EtcdProcess;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Control planes on one real etcd: durability and leader failover with real child JVMs killed by
 * SIGKILL; one truth across replicas with in-process servers, each with its own etcd client.
 */
@Tag("slow")
@Timeout(180)
class EtcdReplicasIT {
  private EtcdProcess etcd;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeEach
  void startEtcd() {
    etcd = EtcdProcess.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    pool.shutdownNow();
    for (AutoCloseable r : resources) {
      r.close();
    }
    etcd.close();
  }

  /** Two replicas, started at the same time (each is a cold JVM: seconds on a busy machine). */
  private List<ControlPlaneProcess> twoReplicas(String... extra) throws Exception {
    Future<ControlPlaneProcess> first = pool.submit(() -> replica(extra));
    ControlPlaneProcess second = replica(extra);
    return List.of(first.get(90, TimeUnit.SECONDS), second);
  }

  private ControlPlaneProcess replica(String... extra) {
    List<String> args = new ArrayList<>(List.of("--store", "etcd", "--etcd-endpoints"));
    args.add(etcd.endpoint().toString());
    args.addAll(List.of(extra));
    ControlPlaneProcess p = ControlPlaneProcess.start(args.toArray(String[]::new));
    synchronized (resources) {
      resources.add(p);
    }
    return p;
  }

  /**
   * A replica in this JVM: its own etcd client and server, like a separate process but without a
   * cold JVM start (where nothing is killed, that is all a replica needs).
   */
  private URI inProcessReplica() {
    EtcdPolicyStore store = EtcdPolicyStore.builder().withEndpoints(etcd.endpoint()).build();
    ControlPlaneServer server =
        ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
    resources.add(server);
    resources.add(store);
    return server.uri();
  }

  private HfiClient client(ControlPlaneProcess p) {
    return client(p.uri());
  }

  private HfiClient client(URI uri) {
    HfiClient c = HfiClient.builder().withBaseUri(uri).withTimeout(Duration.ofSeconds(10)).build();
    resources.add(c);
    return c;
  }

  @Test
  void killDashNineDuringAThousandAppliesLosesNoAcknowledgedPolicy() throws Exception {
    ControlPlaneProcess cp = replica();
    HfiClient client = client(cp);
    AppliesAcrossAKill writes = new AppliesAcrossAKill(client, 300);
    Future<?> writer = pool.submit(writes);
    assertThat(writes.reached().await(60, TimeUnit.SECONDS)).isTrue();
    cp.kill();
    cp.restart();
    writes.restarted();
    writer.get(120, TimeUnit.SECONDS);

    Map<String, String> acknowledged = writes.acknowledged();
    assertThat(acknowledged.size() + writes.failed().size()).isEqualTo(AppliesAcrossAKill.COUNT);
    assertThat(acknowledged.size()).isGreaterThanOrEqualTo(990);
    Map<String, String> stored = new ConcurrentHashMap<>();
    client.list().items().forEach(p -> stored.put(p.name(), p.metadata().resourceVersion()));
    assertThat(stored).containsAllEntriesOf(acknowledged);
  }

  @Test
  void aWriteToOneReplicaReachesSseAndLongPollOnTheOther() throws Exception {
    HfiClient a = client(inProcessReplica());
    HfiClient b = client(inProcessReplica());
    Streams.Collected<RuleSet> stream = Streams.ruleSets(b, null);
    resources.add(stream);
    BlockingQueue<RuleSet> sse = stream.items();
    RuleSet initial = sse.poll(10, TimeUnit.SECONDS);
    assertThat(a.poll("n", "a", 0, null, null, Duration.ofSeconds(1)).orElseThrow().version())
        .isEqualTo(initial.version());
    Future<Optional<RuleSet>> longPoll =
        pool.submit(
            () ->
                b.poll(
                    "orders-proxy", "i-1", initial.version(), null, null, Duration.ofSeconds(30)));

    ApplyResult r = a.apply(TestPolicies.abort("orders", 503));

    RuleSet pushed = sse.poll(10, TimeUnit.SECONDS);
    assertThat(pushed.version()).isEqualTo(r.revision());
    assertThat(pushed.json()).contains("orders");
    RuleSet polled = longPoll.get(10, TimeUnit.SECONDS).orElseThrow();
    assertThat(polled.version()).isEqualTo(r.revision());
    assertThat(polled.json()).isEqualTo(pushed.json());
    assertThat(
            a.poll("n", "a", initial.version(), null, null, Duration.ofSeconds(1))
                .orElseThrow()
                .json())
        .isEqualTo(pushed.json());
  }

  @Test
  void eightWritersWithStaleVersionsGetConflictsAndLoseNoUpdate() throws Exception {
    List<HfiClient> clients = List.of(client(inProcessReplica()), client(inProcessReplica()));
    clients.get(0).apply(counter(0, null));
    int writers = 8;
    int incrementsEach = 5;
    AtomicInteger conflicts = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(writers);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      HfiClient c = clients.get(w % 2);
      done.add(
          pool.submit(
              () -> {
                start.await();
                int made = 0;
                while (made < incrementsEach) {
                  FaultInjectionPolicy current = c.get("counter");
                  int n = Integer.parseInt(current.metadata().labels().get("count"));
                  try {
                    c.put(counter(n + 1, current.metadata().resourceVersion()));
                    made++;
                  } catch (ConflictException stale) {
                    conflicts.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get(120, TimeUnit.SECONDS);
    }
    assertThat(clients.get(1).get("counter").metadata().labels())
        .containsEntry("count", Integer.toString(writers * incrementsEach));
    assertThat(conflicts.get()).isPositive();
  }

  private static FaultInjectionPolicy counter(int n, String resourceVersion) {
    return FaultInjectionPolicy.of(
        new Metadata("counter", Map.of("count", Integer.toString(n)), resourceVersion, null),
        TestPolicies.abort("counter", 503).spec());
  }

  @Test
  void killingTheLeaderMovesExpiryToTheOtherReplica() throws Exception {
    List<ControlPlaneProcess> replicas = twoReplicas("--etcd-lease-ttl", "2s");
    ControlPlaneProcess a = replicas.get(0);
    ControlPlaneProcess b = replicas.get(1);
    try (EtcdPolicyStore view = EtcdPolicyStore.builder().withEndpoints(etcd.endpoint()).build()) {
      String leader = view.leader("expirer").orElseThrow();
      ControlPlaneProcess victim = leader.startsWith(a.pid() + "@") ? a : b;
      ControlPlaneProcess survivor = victim == a ? b : a;
      assertThat(leader).startsWith(victim.pid() + "@");
      HfiClient client = client(survivor);
      Streams.Collected<ControlPlaneEvent> stream = Streams.events(client);
      resources.add(stream);
      BlockingQueue<ControlPlaneEvent> events = stream.items();

      victim.kill();
      client.apply(TestPolicies.expiring("short", "1s"));

      ControlPlaneEvent e;
      do {
        e = events.poll(20, TimeUnit.SECONDS);
        assertThat(e).as("the survivor deletes the expired policy").isNotNull();
      } while (!("deleted".equals(e.action()) && "short".equals(e.name())));
      assertThat(view.leader("expirer"))
          .hasValueSatisfying(l -> assertThat(l).startsWith(survivor.pid() + "@"));
      assertThat(client.list().items()).isEmpty();
    }
  }
}
