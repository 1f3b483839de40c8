package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsServer;
import dev.hfi.client.ApplyResult;
import dev.hfi.client.ControlPlaneEvent;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiClient;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyCodec;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.client.RuleSetRejectedException;
import dev.hfi.client.internal.Limits;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.controlplane.internal.RuleCompiler;
import dev.hfi.testkit.internal.HfiClientAcks;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data-plane conformance suite: every behaviour a data plane promises, written once against
 * {@link DataPlane} and run unchanged against each implementation (a subclass per data plane says
 * only how to start one). A difference between data planes is a bug in one of them, or an exception
 * documented in docs/DATA_PLANE.md.
 *
 * <p>The stack is real: the control plane in this JVM (its port kept across a restart), the data
 * plane under test proxying two upstreams ({@code orders}, {@code payments}) in front of one real
 * upstream server, and the JDK's HTTP client. Every policy change waits for the ACK of every live
 * filter instance ({@link HfiClient#awaitApplied}), never a sleep.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class DataPlaneConformance {
  static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);
  static final Duration POLL_TIMEOUT = Duration.ofSeconds(5);

  /** Envoy's answer to an upstream failure before its response headers begins with this. */
  static final String UPSTREAM_FAILURE =
      "upstream connect error or disconnect/reset before headers. reset reason: ";

  static final String UPSTREAM_DATE = "Mon, 01 Jan 2001 00:00:00 GMT";
  static final String UPSTREAM_SERVER = "raw-upstream/1";

  MemoryPolicyStore store;
  ControlPlaneServer controlPlane;
  HfiClient hfi;
  TestUpstream upstream;
  DataPlane proxy;
  HttpClient http;

  /** Upstreams that answer, fail or speak TLS in particular ways, behind {@link #edgeProxy}. */
  private RawUpstream dated;

  private RawUpstream undated;
  private RawUpstream resetting;
  private HttpsServer tls;
  private DataPlane edgeProxy;
  private DataPlane trustingProxy;

  /** A builder of the data plane under test, with its own settings (e.g. Envoy's workers). */
  protected abstract DataPlane.Builder<?> dataPlane();

  /** Filter instances per node (one per Envoy worker). */
  protected abstract int instancesPerNode();

  /**
   * Whether gRPC calls pass through to a gRPC upstream (HTTP/2 to the upstream); the embedded data
   * plane's proxy client speaks HTTP/1.1 only, a documented difference (docs/DATA_PLANE.md).
   */
  protected boolean passesGrpcToUpstreams() {
    return true;
  }

  /**
   * Envoy's reset reason for an upstream on this machine that refuses connections. A container
   * reaches such an upstream through a forwarder, which accepts and then resets: a documented
   * difference (docs/DATA_PLANE.md).
   */
  protected String downUpstreamResetReason() {
    return "remote connection failure";
  }

  @BeforeAll
  void startStack() throws Exception {
    store = new MemoryPolicyStore();
    controlPlane = ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
    hfi = HfiClient.builder().withBaseUri(controlPlane.uri()).build();
    upstream = new TestUpstream();
    proxy =
        dataPlane()
            .withControlPlane(controlPlane.uri())
            .withPollTimeout(POLL_TIMEOUT)
            .withUpstream("orders", upstream.uri())
            .withUpstream("payments", upstream.uri())
            .start();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    dated =
        RawUpstream.answering(
            "HTTP/1.1 200 OK\r\nDate: "
                + UPSTREAM_DATE
                + "\r\nServer: "
                + UPSTREAM_SERVER
                + "\r\nContent-Length: 5\r\nConnection: close\r\n\r\ndated");
    undated =
        RawUpstream.answering(
            "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nundated");
    resetting = RawUpstream.resetting();
    TestCa ca = new TestCa(Files.createTempDirectory("hfi-test-ca"));
    tls = ca.startServer();
    edgeProxy =
        dataPlane()
            .withControlPlane(controlPlane.uri())
            .withUpstream("dated", dated.uri())
            .withUpstream("undated", undated.uri())
            .withUpstream("down", RawUpstream.down())
            .withUpstream("resetting", resetting.uri())
            .withUpstream("tls-untrusted", TestCa.uri(tls))
            .start();
    trustingProxy =
        dataPlane()
            .withControlPlane(controlPlane.uri())
            .withTrustedCa(ca.caPem())
            .withUpstream("tls-trusted", TestCa.uri(tls))
            .start();
  }

  @AfterAll
  void stopStack() {
    if (tls != null) {
      tls.stop(0);
    }
    for (AutoCloseable c :
        new AutoCloseable[] {
          proxy, edgeProxy, trustingProxy, upstream, dated, undated, resetting, hfi, controlPlane
        }) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // Closing the rest matters more.
        }
      }
    }
  }

  @AfterEach
  void deletePolicies() {
    long revision = 0;
    for (FaultInjectionPolicy p : hfi.list().items()) {
      revision = hfi.delete(p.name()).revision();
    }
    if (revision > 0) {
      hfi.awaitApplied(revision, ACK_TIMEOUT);
    }
  }

  @Test
  void startedFiltersHaveAckedAndReportEveryNode() {
    assertThat(proxy.upstreams()).containsExactly("orders", "payments");
    assertThat(hfi.nodes().items())
        .filteredOn(i -> !i.stale() && i.appliedVersion() == controlPlane.ruleSet().version())
        .extracting(i -> i.node())
        .contains("orders", "payments");
    assertThat(
            hfi.nodes().items().stream()
                .filter(i -> i.node().equals("orders") && !i.stale())
                .count())
        .isGreaterThanOrEqualTo(instancesPerNode());
  }

  @Test
  void withoutPoliciesStatusHeadersAndBodyPassUnchanged() throws Exception {
    long aborts = proxy.aborts();
    long delays = proxy.delays();
    HttpResponse<String> r = get("orders", "/status/418?x=1");
    assertThat(r.statusCode()).isEqualTo(418);
    assertThat(r.headers().firstValue("x-upstream")).hasValue("real");
    assertThat(r.body()).isEqualTo("upstream 418");

    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(proxy.proxyUri("orders").resolve("/api/orders"))
                .POST(HttpRequest.BodyPublishers.ofString("order"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(200);
    assertThat(post.body()).isEqualTo("hello POST /api/orders");
    assertThat(proxy.aborts()).isEqualTo(aborts);
    assertThat(proxy.delays()).isEqualTo(delays);
  }

  @Test
  void forwardedHeadersAreAddedAndHopByHopHeadersDropped() throws Exception {
    URI target = proxy.proxyUri("orders");
    String raw;
    try (Socket socket = new Socket(target.getHost(), target.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /headers HTTP/1.1\r\nHost: orders.example:8080\r\nConnection: close\r\n"
                  + "Keep-Alive: timeout=5\r\nx-kept: yes\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    String seen = raw.substring(raw.indexOf("\r\n\r\n") + 4);
    assertThat(raw).startsWith("HTTP/1.1 200");
    assertThat(seen)
        .contains("x-kept: yes")
        // Envoy puts the host's own address there for a loopback client (docs/DATA_PLANE.md).
        .containsPattern("(?m)^x-forwarded-for: [0-9.]+$")
        .contains("x-forwarded-proto: http")
        .contains("host: orders.example:8080")
        .doesNotContain("keep-alive");
  }

  @Test
  void largeBodiesStreamThroughInBothDirections() throws Exception {
    long size = 64L * 1024 * 1024;
    HttpResponse<InputStream> down =
        http.send(
            HttpRequest.newBuilder(proxy.proxyUri("orders").resolve("/bytes?n=" + size)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(down.statusCode()).isEqualTo(200);
    long read = 0;
    boolean intact = true;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = down.body()) {
      for (int r; (r = in.read(buf)) > 0; ) {
        for (int i = 0; i < r; i++) {
          intact &= buf[i] == TestUpstream.pattern(read + i);
        }
        read += r;
      }
    }
    assertThat(read).isEqualTo(size);
    assertThat(intact).as("every byte as the upstream sent it").isTrue();

    int uploadSize = 16 * 1024 * 1024;
    byte[] upload = new byte[uploadSize];
    for (int i = 0; i < upload.length; i++) {
      upload[i] = TestUpstream.pattern(i);
    }
    MessageDigest sha = TestUpstream.sha256();
    String expected = uploadSize + " " + HexFormat.of().formatHex(sha.digest(upload));
    HttpResponse<String> up =
        http.send(
            HttpRequest.newBuilder(proxy.proxyUri("orders").resolve("/sha256"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(up.body()).isEqualTo(expected);
  }

  @Test
  void abortPolicyAnswersWithItsStatusBodyHeadersAndFaultHeader() throws Exception {
    apply(
        """
        metadata: {name: orders-unavailable}
        spec:
          target: {nodes: [orders]}
          match: {path: {prefix: /api/orders}}
          fault:
            abort: {httpStatus: 503, body: injected, headers: {retry-after: "1"}}
        """);
    long upstreamBefore = upstream.requests();
    long aborts = proxy.aborts();

    HttpResponse<String> r = get("orders", "/api/orders/7");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("injected");
    assertThat(r.headers().firstValue("x-hfi-fault")).hasValue("orders-unavailable");
    assertThat(r.headers().firstValue("retry-after")).hasValue("1");
    assertThat(r.headers().firstValue("x-upstream")).isEmpty();
    assertThat(upstream.requests()).isEqualTo(upstreamBefore);

    assertThat(get("orders", "/api/other").statusCode()).isEqualTo(200);
    assertThat(get("payments", "/api/orders/7").statusCode())
        .as("the policy targets node orders only")
        .isEqualTo(200);
    assertThat(proxy.injections("orders-unavailable")).isEqualTo(1);
    assertThat(proxy.aborts()).isEqualTo(aborts + 1);
  }

  @Test
  void theRequestJournalHoldsEveryRequestWithItsFaultStatusAndTimingOnceAnswered()
      throws Exception {
    apply(
        """
        metadata: {name: journal-abort}
        spec:
          match: {path: {prefix: /journal/abort}}
          fault: {abort: {httpStatus: 503}}
        """);
    apply(
        """
        metadata: {name: journal-slow}
        spec:
          match: {path: {prefix: /journal/slow}}
          fault: {delay: {fixedDelay: 300ms}}
        """);
    long mark = proxy.journal().mark();
    Instant before = Instant.now().minusSeconds(1);

    // Each read comes right after its answer: the entry must already be there.
    assertThat(send("orders", "PUT", "/journal/pass?q=1", Map.of("x-journal", "yes")).statusCode())
        .isEqualTo(200);
    List<JournaledRequest> afterPass = proxy.journal().since(mark);
    assertThat(afterPass).hasSize(1);
    JournaledRequest pass = afterPass.get(0);
    assertThat(pass.upstream()).isEqualTo("orders");
    assertThat(pass.method()).isEqualTo("PUT");
    assertThat(pass.path()).isEqualTo("/journal/pass?q=1");
    assertThat(pass.pathWithoutQuery()).isEqualTo("/journal/pass");
    assertThat(pass.header("x-journal")).hasValue("yes");
    assertThat(pass.header(":authority")).isPresent();
    assertThat(pass.faulted()).isFalse();
    assertThat(pass.policy()).isNull();
    assertThat(pass.status()).isEqualTo(200);
    assertThat(pass.at()).isAfter(before);

    assertThat(get("payments", "/journal/abort/1").statusCode()).isEqualTo(503);
    List<JournaledRequest> afterAbort = proxy.journal().since(mark);
    assertThat(afterAbort).hasSize(2);
    JournaledRequest aborted = afterAbort.get(1);
    assertThat(aborted.upstream()).isEqualTo("payments");
    assertThat(aborted.method()).isEqualTo("GET");
    assertThat(aborted.policy()).isEqualTo("journal-abort");
    assertThat(aborted.aborted()).isTrue();
    assertThat(aborted.delay()).isZero();
    assertThat(aborted.status()).isEqualTo(503);

    assertThat(get("orders", "/journal/slow").statusCode()).isEqualTo(200);
    List<JournaledRequest> afterSlow = proxy.journal().since(mark);
    assertThat(afterSlow).hasSize(3);
    JournaledRequest slow = afterSlow.get(2);
    assertThat(slow.policy()).isEqualTo("journal-slow");
    assertThat(slow.aborted()).isFalse();
    assertThat(slow.delay()).isEqualTo(Duration.ofMillis(300));
    assertThat(slow.status()).isEqualTo(200);
    assertThat(slow.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(300));

    assertThat(proxy.journal().since(proxy.journal().mark())).isEmpty();
  }

  @Test
  void pathMatchersExactPrefixAndRegex() throws Exception {
    apply(
        """
        metadata: {name: path-exact}
        spec:
          match: {path: {exact: /exact}}
          fault: {abort: {httpStatus: 501}}
        """);
    apply(
        """
        metadata: {name: path-prefix}
        spec:
          match: {path: {prefix: /prefix/}}
          fault: {abort: {httpStatus: 502}}
        """);
    apply(
        """
        metadata: {name: path-regex}
        spec:
          match: {path: {regex: "/items/[0-9]+/?"}}
          fault: {abort: {httpStatus: 504}}
        """);
    assertThat(get("orders", "/exact").statusCode()).isEqualTo(501);
    assertThat(get("orders", "/exact/more").statusCode()).isEqualTo(200);
    assertThat(get("orders", "/prefix/a/b").statusCode()).isEqualTo(502);
    assertThat(get("orders", "/prefix").statusCode()).isEqualTo(200);
    assertThat(get("orders", "/items/42").statusCode()).isEqualTo(504);
    assertThat(get("orders", "/items/42?q=1").statusCode())
        .as("the query string is not part of the path")
        .isEqualTo(504);
    assertThat(get("orders", "/items/abc").statusCode()).isEqualTo(200);
  }

  @Test
  void methodAndHeaderMatchers() throws Exception {
    apply(
        """
        metadata: {name: post-only}
        spec:
          match: {path: {prefix: /m}, method: {exact: POST}}
          fault: {abort: {httpStatus: 500}}
        """);
    apply(
        """
        metadata: {name: headers-all}
        spec:
          match:
            path: {prefix: /h}
            headers:
              - {name: x-user, exact: test}
              - {name: x-tenant, prefix: acme-}
              - {name: x-trace, regex: "[a-f0-9]{4}"}
              - {name: x-debug, present: true}
          fault: {abort: {httpStatus: 500}}
        """);
    assertThat(send("orders", "POST", "/m", Map.of()).statusCode()).isEqualTo(500);
    assertThat(send("orders", "GET", "/m", Map.of()).statusCode()).isEqualTo(200);

    Map<String, String> all =
        Map.of("x-user", "test", "x-tenant", "acme-eu", "x-trace", "beef", "x-debug", "");
    assertThat(send("orders", "GET", "/h", all).statusCode()).isEqualTo(500);
    for (String missing : all.keySet()) {
      Map<String, String> fewer = new LinkedHashMap<>(all);
      fewer.remove(missing);
      assertThat(send("orders", "GET", "/h", fewer).statusCode())
          .as("without %s", missing)
          .isEqualTo(200);
    }
    Map<String, String> wrong = new LinkedHashMap<>(all);
    wrong.put("x-trace", "xyz1");
    assertThat(send("orders", "GET", "/h", wrong).statusCode()).isEqualTo(200);
    wrong.put("x-trace", "beef");
    wrong.put("x-user", "Test");
    assertThat(send("orders", "GET", "/h", wrong).statusCode()).isEqualTo(200);
  }

  @Test
  void expiredPolicyNoLongerApplies() throws Exception {
    // The compiled rule carries its expiry; the filter stops injecting at that instant even before
    // the control plane removes the policy.
    apply(
        """
        metadata: {name: short-lived}
        spec:
          match: {path: {prefix: /expiring}}
          fault: {abort: {httpStatus: 503}}
          duration: 2s
        """);
    Instant applied = Instant.now();
    CountDownLatch deleted = new CountDownLatch(1);
    try (HfiClient.Subscription events =
        hfi.subscribeEvents(
            e -> {
              if ("policy".equals(e.type()) && "short-lived".equals(e.name())) {
                deleted.countDown();
              }
            })) {
      assertThat(get("orders", "/expiring").statusCode()).isEqualTo(503);
      assertThat(deleted.await(30, TimeUnit.SECONDS)).as("the policy expired").isTrue();
    }
    assertThat(Duration.between(applied, Instant.now()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    hfi.awaitApplied(controlPlane.ruleSet().version(), ACK_TIMEOUT);
    assertThat(get("orders", "/expiring").statusCode()).isEqualTo(200);
  }

  @Test
  void delayedResponseComesNoEarlierThanTheDelayWhileOthersPass() throws Exception {
    apply(
        """
        metadata: {name: slow-orders}
        spec:
          match: {path: {prefix: /slow}}
          fault: {delay: {fixedDelay: 1500ms}}
        """);
    long delays = proxy.delays();
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<String>> slow =
        http.sendAsync(
            HttpRequest.newBuilder(proxy.proxyUri("orders").resolve("/slow")).build(),
            HttpResponse.BodyHandlers.ofString());
    List<Long> fastMillis = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      long t = System.nanoTime();
      assertThat(get("orders", "/fast/" + i).statusCode()).isEqualTo(200);
      fastMillis.add((System.nanoTime() - t) / 1_000_000);
    }
    assertThat(slow).as("the delayed request is still held").isNotDone();
    HttpResponse<String> r = slow.get(10, TimeUnit.SECONDS);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("hello GET /slow");
    assertThat(elapsedMs).isGreaterThanOrEqualTo(1500);
    assertThat(fastMillis).allSatisfy(ms -> assertThat(ms).isLessThan(1000));
    assertThat(proxy.delays()).isEqualTo(delays + 1);
    assertThat(proxy.injections("slow-orders")).isEqualTo(1);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void delayLongerThanFourSecondsEnds() throws Exception {
    // A host clock of 32 bits of nanoseconds wraps every 4.3 s: a due time past the wrap would
    // never come.
    apply(
        """
        metadata: {name: slow-long}
        spec:
          match: {path: {prefix: /long}}
          fault: {delay: {fixedDelay: 4500ms}}
        """);
    long start = System.nanoTime();
    HttpResponse<String> r = get("orders", "/long");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat((System.nanoTime() - start) / 1_000_000).isBetween(4500L, 9000L);
  }

  @Test
  void delayThenAbortWaitsFirst() throws Exception {
    apply(
        """
        metadata: {name: slow-then-fail}
        spec:
          match: {path: {prefix: /slowfail}}
          fault: {delay: {fixedDelay: 700ms}, abort: {httpStatus: 504, body: late}}
        """);
    long upstreamBefore = upstream.requests();
    long start = System.nanoTime();
    HttpResponse<String> r = get("orders", "/slowfail");
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(700);
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).isEqualTo("late");
    assertThat(r.headers().firstValue("x-hfi-fault")).hasValue("slow-then-fail");
    assertThat(upstream.requests()).isEqualTo(upstreamBefore);
  }

  @Test
  void manyDelayedRequestsAreHeldAtOnce() throws Exception {
    apply(
        """
        metadata: {name: slow-many}
        spec:
          match: {path: {prefix: /held}}
          fault: {delay: {fixedDelay: 1s}}
        """);
    int count = 300; // more than the embedded proxy's 200 threads: held requests must not use them
    long delays = proxy.delays();
    long start = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    HttpClient many = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < count; i++) {
      held.add(
          many.sendAsync(
              HttpRequest.newBuilder(proxy.proxyUri("orders").resolve("/held/" + i)).build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : held) {
      assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    long elapsed = (System.nanoTime() - start) / 1_000_000;
    assertThat(elapsed).isGreaterThanOrEqualTo(1000).isLessThan(10_000);
    assertThat(proxy.delays()).isEqualTo(delays + count);
  }

  @Test
  void fiftyPercentLandsInsideTheBinomialInterval() throws Exception {
    apply(
        """
        metadata: {name: half}
        spec:
          target: {nodes: [orders]}
          fault: {percentage: 50, abort: {httpStatus: 503}}
        """);
    int n = 2000;
    int aborted = 0;
    for (int batch = 0; batch < n; batch += 50) {
      List<CompletableFuture<HttpResponse<Void>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        inFlight.add(
            http.sendAsync(
                HttpRequest.newBuilder(proxy.proxyUri("orders").resolve("/p")).build(),
                HttpResponse.BodyHandlers.discarding()));
      }
      for (CompletableFuture<HttpResponse<Void>> f : inFlight) {
        int status = f.get(20, TimeUnit.SECONDS).statusCode();
        assertThat(status).isIn(200, 503);
        aborted += status == 503 ? 1 : 0;
      }
    }
    // 99.9 % two-sided interval of Binomial(2000, 0.5): 1000 +- 3.29 * sqrt(500) = [927, 1073].
    assertThat(aborted).isBetween(927, 1073);
    assertThat(proxy.injections("half")).isEqualTo(aborted);
  }

  @Test
  void maxInjectionsIsExactWhenTheFirstRequestsRaceOnEveryWorker() throws Exception {
    for (int round = 0; round < 3; round++) {
      String name = "once-" + round;
      apply(
          """
          metadata: {name: %s}
          spec:
            match: {path: {prefix: /once}}
            fault: {abort: {httpStatus: 503}, maxInjections: 2}
          """
              .formatted(name));
      // Many connections at once, so every worker's first matching request races the others.
      int n = 64;
      List<CompletableFuture<HttpResponse<Void>>> inFlight = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        inFlight.add(
            own.sendAsync(
                HttpRequest.newBuilder(
                        proxy.proxyUri(i % 2 == 0 ? "orders" : "payments").resolve("/once/" + i))
                    .build(),
                HttpResponse.BodyHandlers.discarding()));
      }
      int aborted = 0;
      for (CompletableFuture<HttpResponse<Void>> f : inFlight) {
        aborted += f.get(20, TimeUnit.SECONDS).statusCode() == 503 ? 1 : 0;
      }
      assertThat(aborted).as("round %d", round).isEqualTo(2);
      assertThat(proxy.injections(name)).isEqualTo(2);
      hfi.awaitApplied(hfi.delete(name).revision(), ACK_TIMEOUT);
    }
  }

  @Test
  void updatesAndDeletesTakeEffectOnceEveryFilterAcks() throws Exception {
    String policy =
        """
        metadata: {name: flip}
        spec:
          match: {path: {exact: /flip}}
          fault: {abort: {httpStatus: %d}}
        """;
    apply(policy.formatted(503));
    assertThat(get("orders", "/flip").statusCode()).isEqualTo(503);

    apply(policy.formatted(502));
    for (int i = 0; i < 10; i++) {
      assertThat(get("orders", "/flip").statusCode()).isEqualTo(502);
    }

    hfi.awaitApplied(hfi.delete("flip").revision(), ACK_TIMEOUT);
    for (int i = 0; i < 10; i++) {
      assertThat(get("orders", "/flip").statusCode()).isEqualTo(200);
    }
    assertThat(proxy.metrics())
        .containsEntry("hfi.ruleset.version", controlPlane.ruleSet().version());
  }

  @Test
  void grpcAbortIsSeenByARealGrpcClientOverHttp2() throws Exception {
    apply(
        """
        metadata: {name: grpc-down}
        spec:
          match: {path: {prefix: /hfi.test.Echo/}}
          fault: {abort: {grpcStatus: 14}}
        """);
    long upstreamBefore = upstream.requests();
    try (GrpcEcho.Client client = GrpcEcho.client(proxy.proxyUri("orders"))) {
      io.grpc.StatusRuntimeException e = client.callExpectingFailure("hello");
      assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
      assertThat(e.getTrailers().get(GrpcEcho.FAULT_HEADER)).isEqualTo("grpc-down");
    }
    assertThat(upstream.requests()).isEqualTo(upstreamBefore);
    assertThat(proxy.injections("grpc-down")).isEqualTo(1);
  }

  @Test
  void grpcCallsPassThroughToAGrpcUpstreamAndOnlyMatchingOnesAreAborted() throws Exception {
    Assumptions.assumeTrue(passesGrpcToUpstreams(), "documented difference: no HTTP/2 upstreams");
    io.grpc.Server grpcServer = GrpcEcho.server();
    try (DataPlane grpc =
        dataPlane()
            .withControlPlane(controlPlane.uri())
            .withUpstream("grpc", GrpcEcho.uri(grpcServer))
            .start()) {
      try (GrpcEcho.Client client = GrpcEcho.client(grpc.proxyUri("grpc"))) {
        assertThat(client.call("hello")).isEqualTo("echo: hello");
        apply(
            """
            metadata: {name: grpc-echo-down}
            spec:
              target: {nodes: [grpc]}
              match: {path: {exact: /hfi.test.Echo/Say}, headers: [{name: x-fail, present: true}]}
              fault: {abort: {grpcStatus: 14}}
            """);
        assertThat(client.call("again")).isEqualTo("echo: again");
        io.grpc.StatusRuntimeException aborted =
            org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> client.call("fail me", "x-fail", "1"), io.grpc.StatusRuntimeException.class);
        assertThat(aborted.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
        assertThat(aborted.getTrailers().get(GrpcEcho.FAULT_HEADER)).isEqualTo("grpc-echo-down");
      }
    } finally {
      grpcServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void metricsAreReadFromTheDataPlane() throws Exception {
    apply(
        """
        metadata: {name: counted}
        spec:
          match: {path: {prefix: /counted}}
          fault: {abort: {httpStatus: 503}}
        """);
    Map<String, Long> before = proxy.metrics();
    get("orders", "/counted");
    get("payments", "/counted");
    Map<String, Long> after = proxy.metrics();
    assertThat(after)
        .containsKeys(
            "hfi.faults.aborts_total",
            "hfi.faults.delays_total",
            "hfi.config.errors_total",
            "hfi.filter.errors_total",
            "hfi.ruleset.version",
            "hfi.policy.counted.injections_total");
    assertThat(after.get("hfi.faults.aborts_total"))
        .isEqualTo(before.getOrDefault("hfi.faults.aborts_total", 0L) + 2);
    assertThat(after.get("hfi.policy.counted.injections_total")).isEqualTo(2);
    assertThat(after.get("hfi.filter.errors_total")).isZero();
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void rulesStayInForceWhileTheControlPlaneIsDownAndTheFiltersCatchUpWithinSecondsAfter()
      throws Exception {
    apply(
        """
        metadata: {name: outage}
        spec:
          match: {path: {prefix: /outage}}
          fault: {abort: {httpStatus: 503}}
        """);
    // Every live instance polls: those of this suite's other data planes too.
    long pollers = hfi.nodes().items().stream().filter(i -> !i.stale()).count();
    // After the restart the control plane knows an instance only once it polls again: wait for
    // as many per node as there are now (Envoy: one per worker plus the main thread's).
    int perNode =
        (int)
            hfi.nodes().items().stream()
                .filter(i -> !i.stale() && i.node().equals("orders"))
                .count();
    int port = controlPlane.port();
    controlPlane.close();
    hfi.close();
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = get("orders", "/outage");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.headers().firstValue("x-hfi-fault")).hasValue("outage");
    }
    // While the control plane's address answers 503, every filter instance backs off: the wait
    // before each retry doubles (drawn from [base/2, base]), so one instance's gaps grow, up to
    // the cap (maxBackoffMs, 4 s): nine polls each take the backoff to it.
    try (TestUpstream failing = TestUpstream.answeringOn(port, 503)) {
      List<TestUpstream.Arrival> polls =
          failing.awaitArrivals("/v1/config/stream", (int) (9 * pollers), 90_000);
      Map<String, List<Long>> byInstance = new LinkedHashMap<>();
      for (TestUpstream.Arrival a : polls) {
        String instance = a.query().replaceAll(".*instance=([^&]+).*", "$1");
        byInstance.computeIfAbsent(instance, k -> new ArrayList<>()).add(a.nanoTime());
      }
      List<Long> longest =
          byInstance.values().stream().max(java.util.Comparator.comparingInt(List::size)).get();
      assertThat(longest).as("polls of the busiest instance").hasSizeGreaterThanOrEqualTo(4);
      long first = longest.get(1) - longest.get(0);
      long third = longest.get(3) - longest.get(2);
      assertThat(first / 1_000_000).as("no retry at once").isGreaterThanOrEqualTo(50);
      assertThat(third).as("the wait grew: %d ns then %d ns", first, third).isGreaterThan(first);
      for (int i = 0; i < 3; i++) {
        assertThat(get("orders", "/outage").statusCode()).isEqualTo(503);
      }
    }
    // Changed while the control plane is down: the restarted one serves the new version.
    store.apply(
        PolicyCodec.parse(
            """
            apiVersion: hfi.dev/v1alpha1
            kind: FaultInjectionPolicy
            metadata: {name: outage}
            spec:
              match: {path: {prefix: /outage}}
              fault: {abort: {httpStatus: 502}}
            """,
            PolicyCodec.Format.YAML));
    long back = System.nanoTime();
    controlPlane = ControlPlaneServer.builder().withPort(port).withStore(store).build().start();
    hfi = HfiClient.builder().withBaseUri(controlPlane.uri()).build();
    assertThat(
            new HfiClientAcks(hfi, perNode)
                .awaitAcked(Set.of("orders", "payments"), Duration.ofSeconds(60)))
        .as("every filter ACKs the restarted control plane's rule set")
        .isTrue();
    // However long the outage, the backoff's cap bounds how long a data plane stays blind.
    assertThat(Duration.ofNanos(System.nanoTime() - back))
        .as("time from the control plane's return to every filter's ACK")
        .isLessThanOrEqualTo(Duration.ofSeconds(5));
    assertThat(get("orders", "/outage").statusCode()).isEqualTo(502);
  }

  @Test
  void aFilterThatFailsLetsTrafficThrough(@TempDir Path dir) throws Exception {
    apply(
        """
        metadata: {name: never-seen}
        spec:
          fault: {abort: {httpStatus: 503}}
        """);
    try (DataPlane broken =
        dataPlane()
            .withControlPlane(controlPlane.uri())
            .withFilterWasm(TrappingFilter.writeTo(dir))
            .withUpstream("broken", upstream.uri())
            .start()) {
      // Envoy answers 503 to the one request during which a VM traps (docs/DATA_PLANE.md); every
      // later request bypasses the failed VM. The embedded data plane lets that one through too.
      int failed = 0;
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = send(broken, "/pass/" + i, Map.of());
        assertThat(r.headers().firstValue("x-hfi-fault")).isEmpty();
        if (r.statusCode() != 200) {
          failed++;
          assertThat(r.statusCode()).isEqualTo(503);
          assertThat(i)
              .as("only a request that met a VM's trap fails")
              .isLessThan(instancesPerNode());
        } else {
          assertThat(r.body()).isEqualTo("hello GET /pass/" + i);
        }
      }
      assertThat(failed).isLessThanOrEqualTo(instancesPerNode());
    }
    // A VM that trapped says no goodbye: its instances would go stale, then expire, and waits for
    // ACKs would count them until then. The test owns node "broken" and removes it, as an operator
    // would (DELETE /v1/nodes/broken).
    hfi.removeNode("broken");
  }

  @Test
  void aControlPlaneAddressThatAnswers200WithoutARuleSetIsPolledWithBackoff() throws Exception {
    // The cluster points at the wrong service (this upstream): every poll is answered 200 with a
    // body that is no rule set. Each filter instance must back off as after a failure (100 ms
    // doubling, with jitter) instead of polling again at once.
    try (DataPlane misdirected =
        dataPlane()
            .withControlPlane(upstream.uri())
            .withReadyTimeout(Duration.ZERO)
            .withUpstream("misdirected", upstream.uri())
            .start()) {
      List<TestUpstream.Arrival> polls = upstream.awaitArrivals("/v1/config/stream", 6, 20_000);
      assertThat(polls)
          .as("the filters poll the misdirected address")
          .hasSizeGreaterThanOrEqualTo(6);
      Map<String, List<Long>> byInstance = new LinkedHashMap<>();
      for (TestUpstream.Arrival a : upstream.awaitArrivals("/v1/config/stream", 1, 0)) {
        String instance = a.query().replaceAll(".*instance=([^&]+).*", "$1");
        byInstance.computeIfAbsent(instance, k -> new ArrayList<>()).add(a.nanoTime());
      }
      for (Map.Entry<String, List<Long>> e : byInstance.entrySet()) {
        List<Long> times = e.getValue();
        for (int i = 1; i < Math.min(times.size(), 5); i++) {
          long gapMs = (times.get(i) - times.get(i - 1)) / 1_000_000;
          // Backoff before retry i is 100 ms * 2^(i-1) with up to half of it taken off by jitter.
          assertThat(gapMs)
              .as("instance %s, gap before poll %d", e.getKey(), i + 1)
              .isGreaterThanOrEqualTo(50L << (i - 1));
        }
      }
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void largeRuleSetsAreAppliedAndOneBeyondTheFiltersLimitIsNackedWithTheOldOneKept()
      throws Exception {
    // A control plane of its own, started over 9,997 policies, so the rule set is compiled once;
    // three more through the API make the default maximum of 10,000.
    try (MemoryPolicyStore big = new MemoryPolicyStore()) {
      for (int i = 0; i < Limits.DEFAULT_MAX_POLICIES - 3; i++) {
        big.apply(
            PolicyCodec.parse(
                """
                apiVersion: hfi.dev/v1alpha1
                kind: FaultInjectionPolicy
                metadata: {name: bulk-%05d}
                spec:
                  match: {path: {exact: /bulk/%d}, headers: [{name: x-bulk, prefix: "t%d"}]}
                  fault: {abort: {httpStatus: 503, body: "bulk %d"}}
                """
                    .formatted(i, i, i, i),
                PolicyCodec.Format.YAML));
      }
      try (ControlPlaneServer cp =
              ControlPlaneServer.builder().withPort(0).withStore(big).build().start();
          HfiClient client = HfiClient.builder().withBaseUri(cp.uri()).build();
          DataPlane large = startOver(cp, "large")) {
        HttpResponse<String> hit = send(large, "/bulk/7777", Map.of("x-bulk", "t7777"));
        assertThat(hit.statusCode()).isEqualTo(503);
        assertThat(hit.body()).isEqualTo("bulk 7777");
        assertThat(send(large, "/bulk/7777", Map.of()).statusCode()).isEqualTo(200);

        // The largest abort bodies the API accepts (65,536 bytes), three of them.
        long revision = 0;
        for (int i = 0; i < 3; i++) {
          revision =
              client
                  .apply(
                      bigBody("big-body-" + i, "/big/" + i, 'b', Limits.MAX_ABORT_BODY_BYTES),
                      PolicyCodec.Format.YAML)
                  .revision();
        }
        client.awaitApplied(revision, Duration.ofSeconds(120));
        HttpResponse<String> big2 = send(large, "/big/2", Map.of());
        assertThat(big2.statusCode()).isEqualTo(503);
        assertThat(big2.body()).hasSize(65_536);

        // A rule set beyond the filter's 8 MiB, which the API refuses (Limits): written to the
        // store directly, as another producer of rule sets could. The versions on the way there may
        // still fit; the last one must be NACKed by every instance.
        Set<String> instances = new java.util.TreeSet<>();
        client.nodes().items().stream()
            .filter(i -> i.node().equals("large"))
            .forEach(i -> instances.add(i.instance()));
        assertThat(instances).hasSizeGreaterThanOrEqualTo(instancesPerNode());
        Map<String, ControlPlaneEvent> nacks = new java.util.concurrent.ConcurrentHashMap<>();
        long[] last = {Long.MAX_VALUE};
        CountDownLatch allNacked = new CountDownLatch(1);
        // The rule set compiles after the apply returns: its "ruleset" event says when.
        long[] compiled = {0};
        try (HfiClient.Subscription events =
            client.subscribeEvents(
                e -> {
                  if ("ruleset".equals(e.type())) {
                    synchronized (compiled) {
                      compiled[0] = Math.max(compiled[0], e.version());
                      compiled.notifyAll();
                    }
                  }
                  if ("nack".equals(e.type())
                      && "large".equals(e.node())
                      && e.version() >= last[0]) {
                    nacks.put(e.instance(), e);
                    if (nacks.keySet().containsAll(instances)) {
                      allNacked.countDown();
                    }
                  }
                })) {
          for (int i = 0; i < 110; i++) {
            revision =
                big.apply(
                        PolicyCodec.parse(
                            bigBody("huge-" + i, "/huge/" + i, '\u20ac', 21_845),
                            PolicyCodec.Format.YAML))
                    .revision();
          }
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          synchronized (compiled) {
            while (compiled[0] < revision && cp.ruleSet().version() < revision) {
              long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
              assertThat(left).as("rule set %d compiled within 60 s", revision).isPositive();
              compiled.wait(left);
            }
          }
          assertThat(cp.ruleSet().json().getBytes(StandardCharsets.UTF_8).length)
              .isGreaterThan(8 << 20);
          last[0] = cp.ruleSet().version();
          // NACKs of the last version that arrived before it was known are in /v1/nodes.
          client.nodes().items().stream()
              .filter(
                  i ->
                      i.node().equals("large")
                          && "NACK".equals(i.status())
                          && i.rejectedVersion() != null
                          && i.rejectedVersion() >= last[0])
              .forEach(
                  i ->
                      nacks.put(
                          i.instance(),
                          ControlPlaneEvent.nack(
                              i.node(),
                              i.instance(),
                              i.rejectedVersion(),
                              i.appliedVersion(),
                              i.error())));
          if (nacks.keySet().containsAll(instances)) {
            allNacked.countDown();
          }
          assertThat(allNacked.await(120, TimeUnit.SECONDS))
              .as("every instance NACKs the rule set beyond the limit; NACKs: %s", nacks.keySet())
              .isTrue();
        }
        assertThat(nacks.values())
            .allSatisfy(
                n -> {
                  assertThat(n.error()).contains("exceeds the filter's limit");
                  assertThat(n.appliedVersion()).isLessThan(last[0]);
                });
        assertThatThrownBy(() -> client.awaitApplied(last[0], Duration.ofSeconds(5)))
            .isInstanceOf(RuleSetRejectedException.class);
        assertThat(send(large, "/bulk/7777", Map.of("x-bulk", "t7777")).statusCode())
            .isEqualTo(503);
        assertThat(send(large, "/huge/109", Map.of()).statusCode())
            .as("the policy only the rejected rule set holds is not in force")
            .isEqualTo(200);
        assertThat(large.metrics()).containsEntry("hfi.filter.errors_total", 0L);
      }
    }
  }

  /**
   * Issue 19, admission before distribution: a rule set at every limit of {@link Limits} at once
   * (the default maximum of policies, the rule-set bytes, the regex instructions of the rule set,
   * the largest regex program and the largest abort body) is ACKed by every instance and in force;
   * one over each limit is a 400 naming the field and the limit, and changes nothing.
   */
  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void aRuleSetAtEveryLimitIsAppliedAndOneOverEachIsRefusedWithNothingChanged() throws Exception {
    int policies = Limits.DEFAULT_MAX_POLICIES;
    int bulk = policies - 3; // then a regex, a body and a filler policy through the API
    // The bulk policies' header regexes, the largest regex (1,000) and the body policy's (100)
    // make the rule set's instruction limit exactly.
    long bulkRegexes = Limits.MAX_RULE_SET_REGEX_PROGRAM_SIZE - Limits.MAX_REGEX_PROGRAM_SIZE - 100;
    long base = bulkRegexes / bulk;
    long larger = bulkRegexes - base * bulk;
    String[] bulkRegex = new String[bulk];
    for (int i = 0; i < bulk; i++) {
      bulkRegex[i] = regexOfSize(base + (i < larger ? 1 : 0));
    }
    String largestRegex = regexOfSize(Limits.MAX_REGEX_PROGRAM_SIZE);
    String bodyRegex = regexOfSize(100);
    try (MemoryPolicyStore full = new MemoryPolicyStore()) {
      // Twice: the second pass, with bodies sized from the first, leaves room for the three (the
      // largest body, the regex and about 30,000 bytes of filler). Its generations are five digits
      // long, most of the first pass's four: about 11,000 bytes more.
      fillLimits(full, bulkRegex, 0);
      long empty = ruleSetBytes(full);
      int bulkBody = (int) ((Limits.MAX_RULE_SET_BYTES - empty - 11_000 - 97_000) / bulk);
      fillLimits(full, bulkRegex, bulkBody);
      long room = Limits.MAX_RULE_SET_BYTES - ruleSetBytes(full);
      assertThat(room).as("room for the three policies").isBetween(80_000L, 120_000L);
      try (ControlPlaneServer cp =
              ControlPlaneServer.builder().withPort(0).withStore(full).build().start();
          HfiClient client = HfiClient.builder().withBaseUri(cp.uri()).build();
          DataPlane limits = startOver(cp, "limits")) {
        // The largest regex program: a path regex of exactly the limit.
        String regexPolicy =
            """
            apiVersion: hfi.dev/v1alpha1
            kind: FaultInjectionPolicy
            metadata: {name: lim-regex}
            spec:
              match: {path: {regex: "%s"}}
              fault: {abort: {httpStatus: 502, body: "largest regex"}}
            """;
        assertRefused(
            client,
            cp,
            full,
            regexPolicy.formatted("((a{100}){100}){100}"),
            "spec.match.path.regex: \"((a{100}){100}){100}\" compiles to an RE2 program of about",
            "above the limit of " + Limits.MAX_REGEX_PROGRAM_SIZE);
        assertRefused(
            client,
            cp,
            full,
            regexPolicy.formatted(regexOfSize(Limits.MAX_REGEX_PROGRAM_SIZE + 1)),
            "compiles to an RE2 program of "
                + (Limits.MAX_REGEX_PROGRAM_SIZE + 1)
                + " instructions",
            "above the limit of " + Limits.MAX_REGEX_PROGRAM_SIZE);
        client.apply(regexPolicy.formatted(largestRegex), PolicyCodec.Format.YAML);

        // The largest abort body, in multi-byte characters: the limit is in UTF-8 bytes.
        String bodyPolicy =
            """
            apiVersion: hfi.dev/v1alpha1
            kind: FaultInjectionPolicy
            metadata: {name: lim-body}
            spec:
              match: {path: {exact: /lim-body}, headers: [{name: x-lim, regex: "%s"}]}
              fault: {abort: {httpStatus: 503, body: "%s"}}
            """;
        assertRefused(
            client,
            cp,
            full,
            bodyPolicy.formatted(bodyRegex, body(Limits.MAX_ABORT_BODY_BYTES + 1)),
            "spec.fault.abort.body: " + (Limits.MAX_ABORT_BODY_BYTES + 1) + " bytes (UTF-8)",
            "above the limit of " + Limits.MAX_ABORT_BODY_BYTES + " bytes");
        assertRefused(
            client,
            cp,
            full,
            bodyPolicy.formatted(regexOfSize(101), body(Limits.MAX_ABORT_BODY_BYTES)),
            "the regexes of the rule set would compile to "
                + (Limits.MAX_RULE_SET_REGEX_PROGRAM_SIZE + 1)
                + " RE2 instructions in total",
            "above the limit of " + Limits.MAX_RULE_SET_REGEX_PROGRAM_SIZE);
        client.apply(
            bodyPolicy.formatted(bodyRegex, body(Limits.MAX_ABORT_BODY_BYTES)),
            PolicyCodec.Format.YAML);

        // A filler whose body, sized by dry runs, ends the rule set at its byte limit.
        String fillerPolicy =
            """
            apiVersion: hfi.dev/v1alpha1
            kind: FaultInjectionPolicy
            metadata: {name: lim-filler}
            spec:
              match: {path: {exact: /lim-filler}}
              fault: {abort: {httpStatus: 503, body: "%s"}}
            """;
        int lo = 0;
        int hi = Limits.MAX_ABORT_BODY_BYTES;
        while (lo < hi) {
          int mid = (lo + hi + 1) / 2;
          if (admitted(client, fillerPolicy.formatted(body(mid)))) {
            lo = mid;
          } else {
            hi = mid - 1;
          }
        }
        assertThat(lo).as("the filler's body").isBetween(1, Limits.MAX_ABORT_BODY_BYTES - 1);
        assertRefused(
            client,
            cp,
            full,
            fillerPolicy.formatted(body(lo + 1)),
            "spec: with policy \"lim-filler\" the compiled rule set would be",
            "above the limit of " + Limits.MAX_RULE_SET_BYTES + " bytes");
        long started = System.nanoTime();
        long revision =
            client.apply(fillerPolicy.formatted(body(lo)), PolicyCodec.Format.YAML).revision();
        client.awaitApplied(revision, Duration.ofSeconds(120));
        long ackMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        long bytes = cp.ruleSet().json().getBytes(StandardCharsets.UTF_8).length;
        assertThat(cp.ruleSet().ruleCount()).isEqualTo(policies);
        assertThat(bytes)
            .isLessThanOrEqualTo(Limits.MAX_RULE_SET_BYTES)
            .isGreaterThan(Limits.MAX_RULE_SET_BYTES - 8);
        System.out.printf(
            "%s: %d policies, rule set of %d bytes, %d regex instructions, ACKed by every"
                + " instance %d ms after the last apply%n",
            getClass().getSimpleName(),
            policies,
            bytes,
            Limits.MAX_RULE_SET_REGEX_PROGRAM_SIZE,
            ackMillis);
        assertThat(client.nodes().items())
            .filteredOn(i -> i.node().equals("limits"))
            .hasSizeGreaterThanOrEqualTo(instancesPerNode())
            .allSatisfy(i -> assertThat(i.appliedVersion()).isEqualTo(cp.ruleSet().version()));

        // In force: the largest regex, the largest body, the filler and a bulk policy's regex.
        HttpResponse<String> re = send(limits, sample(largestRegex), Map.of());
        assertThat(re.statusCode()).isEqualTo(502);
        assertThat(re.body()).isEqualTo("largest regex");
        HttpResponse<String> b = send(limits, "/lim-body", Map.of("x-lim", sample(bodyRegex)));
        assertThat(b.statusCode()).isEqualTo(503);
        assertThat(b.body().getBytes(StandardCharsets.UTF_8)).hasSize(Limits.MAX_ABORT_BODY_BYTES);
        HttpResponse<String> filler = send(limits, "/lim-filler", Map.of());
        assertThat(filler.body().getBytes(StandardCharsets.UTF_8)).hasSize(lo);
        HttpResponse<String> one =
            send(limits, "/lim/04321", Map.of("x-lim", sample(bulkRegex[4321])));
        assertThat(one.statusCode()).isEqualTo(503);
        assertThat(one.body()).hasSize(bulkBody);
        assertThat(send(limits, "/lim/04321", Map.of("x-lim", "no")).statusCode()).isEqualTo(200);

        // One policy more than the maximum.
        assertRefused(
            client,
            cp,
            full,
            """
            apiVersion: hfi.dev/v1alpha1
            kind: FaultInjectionPolicy
            metadata: {name: lim-one-more}
            spec:
              match: {path: {exact: /lim-one-more}}
              fault: {abort: {httpStatus: 503}}
            """,
            "metadata.name: creating policy \"lim-one-more\" would make " + (policies + 1),
            "above the control plane's limit of " + policies);
        assertThat(limits.metrics()).containsEntry("hfi.filter.errors_total", 0L);
      }
    }
  }

  /**
   * A data plane of its own on {@code cp} with one upstream, {@code name}: ready once every
   * instance has applied the (large) rule set there.
   */
  private DataPlane startOver(ControlPlaneServer cp, String name) {
    return dataPlane()
        .withControlPlane(cp.uri())
        .withReadyTimeout(Duration.ofSeconds(120))
        .withUpstream(name, upstream.uri())
        .start();
  }

  /** Writes the bulk policies of the limits case straight into {@code store}. */
  private static void fillLimits(MemoryPolicyStore store, String[] regexes, int body) {
    for (int i = 0; i < regexes.length; i++) {
      store.apply(
          PolicyCodec.parse(
              """
              apiVersion: hfi.dev/v1alpha1
              kind: FaultInjectionPolicy
              metadata: {name: lim-%05d}
              spec:
                match: {path: {exact: /lim/%05d}, headers: [{name: x-lim, regex: "%s"}]}
                fault: {abort: {httpStatus: 503, body: "%s"}}
              """
                  .formatted(i, i, regexes[i], "l".repeat(body)),
              PolicyCodec.Format.YAML));
    }
  }

  /** The size of the rule set the control plane compiles from {@code store}. */
  private static long ruleSetBytes(MemoryPolicyStore store) {
    PolicySnapshot s = store.list();
    return RuleCompiler.ruleSet(
            s.revision(), s.items().stream().map(RuleCompiler::compile).toList())
        .json()
        .getBytes(StandardCharsets.UTF_8)
        .length;
  }

  /** A value that the regex of {@link #regexOfSize} matches. */
  private static String sample(String regex) {
    return "/"
        + "a".repeat(Integer.parseInt(regex.substring(regex.indexOf('{') + 1, regex.indexOf('}'))));
  }

  /**
   * A regex {@code /a{n}} (path-shaped) whose RE2 program has exactly {@code size} instructions.
   */
  private static String regexOfSize(long size) {
    for (int n = 1; n < 100_000; n++) {
      String r = "/a{" + n + "}";
      long s = Limits.regexProgramSize(r);
      if (s == size) {
        return r;
      }
      if (s > size) {
        break;
      }
    }
    throw new IllegalArgumentException("no /a{n} has a program of " + size + " instructions");
  }

  /** An abort body of {@code bytes} UTF-8 bytes, mostly three-byte characters. */
  private static String body(int bytes) {
    return "\u20ac".repeat(bytes / 3) + "b".repeat(bytes % 3);
  }

  private static boolean admitted(HfiClient client, String yaml) {
    try {
      client.dryRun(PolicyCodec.read(yaml, PolicyCodec.Format.YAML));
      return true;
    } catch (InvalidPolicyException e) {
      return false;
    }
  }

  /**
   * {@code yaml} is a 400 naming the field and the limit, and neither store nor rule set change.
   */
  private void assertRefused(
      HfiClient client,
      ControlPlaneServer cp,
      MemoryPolicyStore store,
      String yaml,
      String field,
      String limit) {
    long revision = store.revision();
    // The rule set compiles after an apply returns: every instance has it once ACKed.
    client.awaitApplied(revision, Duration.ofSeconds(120));
    long version = cp.ruleSet().version();
    assertThatThrownBy(() -> client.apply(yaml, PolicyCodec.Format.YAML))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining(field)
        .hasMessageContaining(limit);
    assertThat(store.revision()).isEqualTo(revision);
    assertThat(cp.ruleSet().version()).isEqualTo(version);
  }

  private static String bigBody(String name, String path, char fill, int count) {
    return """
        apiVersion: hfi.dev/v1alpha1
        kind: FaultInjectionPolicy
        metadata: {name: %s}
        spec:
          match: {path: {exact: %s}}
          fault: {abort: {httpStatus: 503, body: "%s"}}
        """
        .formatted(name, path, String.valueOf(fill).repeat(count));
  }

  /** {@code path} with {@code headers} through the only upstream of {@code dataPlane}. */
  private HttpResponse<String> send(DataPlane dataPlane, String path, Map<String, String> headers)
      throws Exception {
    String only = dataPlane.upstreams().iterator().next();
    HttpRequest.Builder b = HttpRequest.newBuilder(dataPlane.proxyUri(only).resolve(path));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theUpstreamsDateAndServerReachTheClientOnce() throws Exception {
    HttpResponse<String> r = get(edgeProxy, "dated");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("dated");
    assertThat(r.headers().allValues("date")).containsExactly(UPSTREAM_DATE);
    assertThat(r.headers().allValues("server")).containsExactly(UPSTREAM_SERVER);
  }

  @Test
  void anAnswerWithoutDateGetsExactlyOne() throws Exception {
    HttpResponse<String> r = get(edgeProxy, "undated");
    assertThat(r.body()).isEqualTo("undated");
    assertThat(r.headers().allValues("date")).hasSize(1);
  }

  @Test
  void anUpstreamThatIsDownGets503UpstreamConnectError() throws Exception {
    long mark = edgeProxy.journal().mark();
    HttpResponse<String> r = get(edgeProxy, "down");
    assertUpstreamFailure(r);
    assertThat(r.body()).isEqualTo(UPSTREAM_FAILURE + downUpstreamResetReason());
    assertThat(edgeProxy.journal().since(mark))
        .as("the journal has the proxy's own answer")
        .singleElement()
        .satisfies(
            j -> {
              assertThat(j.upstream()).isEqualTo("down");
              assertThat(j.status()).isEqualTo(503);
              assertThat(j.faulted()).isFalse();
            });
  }

  @Test
  void anUpstreamThatResetsBeforeAnsweringGets503UpstreamConnectError() throws Exception {
    assertUpstreamFailure(get(edgeProxy, "resetting"));
  }

  @Test
  void anHttpsUpstreamOfAnUntrustedCaGets503UpstreamConnectError() throws Exception {
    assertUpstreamFailure(get(edgeProxy, "tls-untrusted"));
  }

  @Test
  void anHttpsUpstreamOfATrustedCaPassesThrough() throws Exception {
    HttpResponse<String> r = get(trustingProxy, "tls-trusted");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("hello over tls");
  }

  @Test
  void closingRemovesExactlyItsOwnInstancesFromTheNodeListAtOnce() throws Exception {
    DataPlane first =
        dataPlane()
            .withControlPlane(controlPlane.uri())
            .withUpstream("twin", upstream.uri())
            .start();
    Set<String> firsts = twins();
    assertThat(firsts).hasSizeGreaterThanOrEqualTo(instancesPerNode());
    try (DataPlane second =
        dataPlane()
            .withControlPlane(controlPlane.uri())
            .withUpstream("twin", upstream.uri())
            .start()) {
      // Readiness counts a node's ACKed instances, and the first data plane's already count for
      // "twin": wait until the second one's have reported too.
      new HfiClientAcks(hfi, 2 * instancesPerNode())
          .awaitAcked(Set.of("twin"), Duration.ofSeconds(30));
      Set<String> seconds = new java.util.HashSet<>(twins());
      seconds.removeAll(firsts);
      assertThat(seconds).hasSizeGreaterThanOrEqualTo(instancesPerNode());
      first.close();
      assertThat(twins())
          .as("the closed data plane's instances are gone at once, the other one's stay")
          .isEqualTo(seconds);
    }
    assertThat(twins()).isEmpty();
  }

  private Set<String> twins() {
    Set<String> out = new java.util.TreeSet<>();
    hfi.nodes().items().stream()
        .filter(i -> i.node().equals("twin"))
        .forEach(i -> out.add(i.instance()));
    return out;
  }

  private static void assertUpstreamFailure(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(r.body()).startsWith(UPSTREAM_FAILURE);
    assertThat(r.headers().firstValue("x-hfi-fault"))
        .as("a real upstream failure is not an injected fault")
        .isEmpty();
    assertThat(r.headers().allValues("date")).hasSize(1);
  }

  private HttpResponse<String> get(DataPlane dataPlane, String upstreamName) throws Exception {
    return http.send(
        HttpRequest.newBuilder(dataPlane.proxyUri(upstreamName).resolve("/api/x")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  void apply(String yaml) {
    ApplyResult r =
        hfi.apply(
            "apiVersion: hfi.dev/v1alpha1\nkind: FaultInjectionPolicy\n" + yaml,
            PolicyCodec.Format.YAML);
    hfi.awaitApplied(r.revision(), ACK_TIMEOUT);
  }

  HttpResponse<String> get(String upstreamName, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(proxy.proxyUri(upstreamName).resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(
      String upstreamName, String method, String path, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(proxy.proxyUri(upstreamName).resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach((k, v) -> b.header(k, v.isEmpty() ? "1" : v));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The suite's real upstream server (on this machine's loopback), for a subclass's own cases. */
  protected URI upstreamUri() {
    return upstream.uri();
  }

  /** GET {@code path} through the only upstream of {@code dataPlane}. */
  protected HttpResponse<String> sendThrough(DataPlane dataPlane, String path) throws Exception {
    return send(dataPlane, path, Map.of());
  }
}
