package dev.hfi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.hfi.client.HfiClient;
import dev.hfi.client.TestPolicies;
import dev.hfi.testkit.DataPlane;
import dev.hfi.testkit.EmbeddedDataPlane;
import dev.hfi.testsupport.EtcdProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chaos run: steady traffic through an embedded data plane while its control plane (etcd store,
 * a three-member etcd cluster) is killed with SIGKILL and restarted three times, and one etcd
 * member is killed for good before the last round. What must hold: no request that should pass
 * fails, no request that a policy faults passes (the data plane keeps its last rule set through
 * every outage), and after each restart a new policy is applied within 5 s of the control plane
 * being ready. Prints a table of the figures.
 */
@Tag("slow")
@Timeout(300)
class ChaosIT {
  private static final int ROUNDS = 3;
  private static final Duration CATCH_UP_GOAL = Duration.ofSeconds(5);

  /** Requests in each state (running, down) a round waits for, so every phase sees traffic. */
  private static final int REQUESTS_PER_PHASE = 100;

  @Test
  void killsLoseNoFaultAndNoRequestAndEveryRestartCatchesUpWithinFiveSeconds() throws Exception {
    List<EtcdProcess> etcd = EtcdProcess.cluster(3);
    List<Round> rounds = new ArrayList<>();
    try (Upstream upstream = new Upstream();
        ControlPlaneProcess controlPlane =
            ControlPlaneProcess.start(
                "--store", "etcd", "--etcd-endpoints", EtcdProcess.endpoints(etcd));
        HfiClient hfi = HfiClient.builder().withBaseUri(controlPlane.uri()).build()) {
      hfi.apply(TestPolicies.abort("fault", 503));
      try (DataPlane proxy =
              EmbeddedDataPlane.builder()
                  .withControlPlane(controlPlane.uri())
                  .withUpstream("shop", upstream.uri())
                  .start();
          Traffic traffic = new Traffic(proxy.proxyUri("shop"))) {
        for (int round = 1; round <= ROUNDS; round++) {
          if (round == ROUNDS) {
            etcd.get(0).kill();
          }
          traffic.awaitMore(REQUESTS_PER_PHASE);
          controlPlane.kill();
          long killed = System.nanoTime();
          long beforeOutage = traffic.total();
          traffic.awaitMore(REQUESTS_PER_PHASE);
          controlPlane.restart();
          long ready = System.nanoTime();
          long duringOutage = traffic.total() - beforeOutage;

          String policy = "new-" + round;
          AtomicLong revision = new AtomicLong(Long.MAX_VALUE);
          try (AckWatch ack =
              new AckWatch(
                  hfi,
                  e ->
                      "shop".equals(e.node())
                          && e.version() != null
                          && e.version() >= revision.get())) {
            ack.awaitOpen(Duration.ofSeconds(10));
            revision.set(hfi.apply(TestPolicies.abort(policy, 418)).revision());
            ack.awaitAck(Duration.ofSeconds(30));
          }
          Duration catchUp = Duration.ofNanos(System.nanoTime() - ready);
          assertThat(traffic.status("/api/" + policy))
              .as("policy %s in force", policy)
              .isEqualTo(418);
          rounds.add(
              new Round(
                  round,
                  Duration.ofNanos(ready - killed),
                  catchUp,
                  duringOutage,
                  round == ROUNDS ? 2 : 3));
        }
        traffic.close();
        print(rounds, traffic);
        assertThat(traffic.passFailures.get()).as("pass-through requests that failed").isZero();
        assertThat(traffic.faultsLost.get()).as("faulted requests that passed").isZero();
        assertThat(rounds)
            .allSatisfy(r -> assertThat(r.catchUp()).isLessThanOrEqualTo(CATCH_UP_GOAL));
      }
    } finally {
      etcd.forEach(EtcdProcess::close);
    }
  }

  private static void print(List<Round> rounds, Traffic traffic) {
    StringBuilder out = new StringBuilder("\nChaos run (control plane SIGKILLed and restarted):\n");
    out.append(
        "| round | etcd members up | outage | requests during the outage | new policy applied after"
            + " ready |\n|---:|---:|---:|---:|---:|\n");
    for (Round r : rounds) {
      out.append(
          "| %d | %d | %d ms | %d | %d ms |\n"
              .formatted(
                  r.round(),
                  r.etcdMembers(),
                  r.outage().toMillis(),
                  r.requestsDuringOutage(),
                  r.catchUp().toMillis()));
    }
    out.append(
        "requests: %d pass-through (%d failed), %d faulted (%d passed: faults lost)\n"
            .formatted(
                traffic.passed.get(),
                traffic.passFailures.get(),
                traffic.faulted.get(),
                traffic.faultsLost.get()));
    traffic.wrongs.stream().limit(40).forEach(w -> out.append(w).append('\n'));
    System.out.println(out);
  }

  private record Round(
      int round, Duration outage, Duration catchUp, long requestsDuringOutage, int etcdMembers) {}

  /** The real service behind the proxy: 200 "real" for every path. */
  private static final class Upstream implements AutoCloseable {
    private final HttpServer server;

    Upstream() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(Executors.newFixedThreadPool(4));
      server.createContext(
          "/",
          x -> {
            byte[] body = "real".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            try (OutputStream out = x.getResponseBody()) {
              out.write(body);
            }
          });
      server.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
  }

  /**
   * Two request streams at a steady 100 requests/s each through the proxy: {@code /pass} (must be
   * answered 200 by the upstream) and {@code /api/fault} (must be aborted with 503 by policy {@code
   * fault}).
   */
  private static final class Traffic implements AutoCloseable {
    private final URI proxy;
    private final HttpClient http =
        HttpClient.newBuilder()
            // HTTP/1.1 as services' clients mostly speak it; over h2c the JDK client fails a
            // request beyond the connection's stream limit instead of queueing it.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
    final AtomicLong passed = new AtomicLong();
    final AtomicLong passFailures = new AtomicLong();
    final AtomicLong faulted = new AtomicLong();
    final AtomicLong faultsLost = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    final List<String> wrongs = new ArrayList<>();
    private long total;

    Traffic(URI proxy) {
      this.proxy = proxy;
      ticks.scheduleAtFixedRate(
          () -> send("/pass", 200, passed, passFailures), 0, 10, TimeUnit.MILLISECONDS);
      ticks.scheduleAtFixedRate(
          () -> send("/api/fault", 503, faulted, faultsLost), 5, 10, TimeUnit.MILLISECONDS);
    }

    /** Sends without waiting for the answer, so that a slow answer never slows the rate. */
    private void send(String path, int expected, AtomicLong ok, AtomicLong wrong) {
      sent.incrementAndGet();
      http.sendAsync(request(path), HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (response, failure) -> {
                boolean right = failure == null && response.statusCode() == expected;
                (right ? ok : wrong).incrementAndGet();
                if (!right) {
                  String what =
                      path
                          + " -> "
                          + (failure != null ? failure.toString() : response.statusCode())
                          + " at "
                          + java.time.LocalTime.now();
                  synchronized (wrongs) {
                    wrongs.add(what);
                  }
                }
                synchronized (this) {
                  total++;
                  notifyAll();
                }
              });
    }

    private HttpRequest request(String path) {
      return HttpRequest.newBuilder(proxy.resolve(path)).timeout(Duration.ofSeconds(5)).build();
    }

    /** The status of one GET through the proxy; 0 when it failed without an answer. */
    int status(String path) {
      try {
        return http.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
      } catch (IOException e) {
        return 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 0;
      }
    }

    synchronized long total() {
      return total;
    }

    /** Waits until {@code n} more requests have been answered (or failed). */
    synchronized void awaitMore(long n) throws InterruptedException {
      long target = total + n;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (total < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("traffic stalled at " + total + " requests");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    /** Stops sending and waits for the answers to what was sent. */
    @Override
    public void close() throws InterruptedException {
      ticks.shutdownNow();
      ticks.awaitTermination(10, TimeUnit.SECONDS);
      synchronized (this) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (total < sent.get() && System.nanoTime() < deadline) {
          TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
        }
      }
    }
  }
}
