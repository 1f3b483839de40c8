package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.controlplane.ApplyResult;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.DataPlaneInstance;
import dev.hfi.controlplane.FaultInjectionPolicy;
import dev.hfi.controlplane.HfiClient;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.controlplane.PolicyCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The embedded data plane end to end: the real control plane, the real hfi-filter.wasm in the
 * embedded proxy, a real upstream server and a real HTTP client. Every policy change waits for the
 * filter's ACK through the control plane ({@link HfiClient#awaitApplied}), never a sleep.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EmbeddedDataPlaneIT {
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(20);

  private static MemoryPolicyStore store;
  private static ControlPlaneServer controlPlane;
  private static HfiClient hfi;
  private static TestUpstream upstream;
  private static EmbeddedDataPlane proxy;
  private static HttpClient http;

  @BeforeAll
  static void startStack() throws IOException {
    store = new MemoryPolicyStore();
    controlPlane = ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
    hfi = HfiClient.builder().withBaseUri(controlPlane.uri()).build();
    upstream = new TestUpstream();
    proxy =
        EmbeddedDataPlane.builder()
            .withControlPlane(controlPlane.uri())
            .withUpstream("orders", upstream.uri())
            .withUpstream("payments", upstream.uri())
            .build()
            .start();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stopStack() {
    if (proxy != null) {
      proxy.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (hfi != null) {
      hfi.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
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
  void startedFiltersHaveAckedAndReportTheirNodes() {
    assertThat(hfi.nodes().items()).extracting(i -> i.node()).contains("orders", "payments");
    assertThat(proxy.startupCost().total()).isPositive();
  }

  @Test
  void closingRemovesExactlyItsOwnInstancesFromTheNodeListAtOnce() {
    EmbeddedDataPlane first =
        EmbeddedDataPlane.builder()
            .withControlPlane(controlPlane.uri())
            .withUpstream("twin", upstream.uri())
            .build()
            .start();
    try (EmbeddedDataPlane second =
        EmbeddedDataPlane.builder()
            .withControlPlane(controlPlane.uri())
            .withUpstream("twin", upstream.uri())
            .build()
            .start()) {
      assertThat(twins()).hasSize(2);
      first.close();
      assertThat(twins())
          .as("the closed data plane's instance is gone at once, the other one's stays")
          .singleElement()
          .satisfies(i -> assertThat(i.stale()).isFalse());
    }
    assertThat(twins()).isEmpty();
  }

  private static List<DataPlaneInstance> twins() {
    return hfi.nodes().items().stream().filter(i -> i.node().equals("twin")).toList();
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
          ("GET /headers HTTP/1.1\r\nHost: orders.example:8080\r\nConnection: close, x-hop\r\n"
                  + "x-hop: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nx-kept: yes\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    String seen = raw.substring(raw.indexOf("\r\n\r\n") + 4);
    assertThat(raw).startsWith("HTTP/1.1 200");
    assertThat(seen)
        .contains("x-kept: yes")
        .contains("x-forwarded-for: 127.0.0.1")
        .contains("x-forwarded-proto: http")
        .contains("x-forwarded-host: orders.example:8080")
        .contains("host: orders.example:8080")
        .doesNotContain("x-hop")
        .doesNotContain("keep-alive")
        .doesNotContain("te: trailers");
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
    long ordersAborts = proxy.metrics("orders").getOrDefault("hfi.faults.aborts_total", 0L);

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
    assertThat(proxy.metrics("orders")).containsEntry("hfi.faults.aborts_total", ordersAborts + 1);
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
    // The host's own clock import wraps every 4.3 s (32 bits of nanoseconds): a due time past the
    // wrap would never come. WasmFilterHost replaces it; this pins that it stays replaced.
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
  void manyDelayedRequestsHoldNoThreads() throws Exception {
    apply(
        """
        metadata: {name: slow-many}
        spec:
          match: {path: {prefix: /held}}
          fault: {delay: {fixedDelay: 1s}}
        """);
    int count = 300; // more than the proxy's 200 threads: held requests must not occupy them
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
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(1000);
    assertThat(proxy.delays()).isEqualTo(delays + count);
  }

  @Test
  void headerMatchedPolicyHitsOnlyMatchingRequests() throws Exception {
    apply(
        """
        metadata: {name: test-user-fails}
        spec:
          match:
            headers: [{name: x-user, exact: test}]
          fault: {abort: {httpStatus: 500}}
        """);
    assertThat(send("orders", "/api", "x-user", "test").statusCode()).isEqualTo(500);
    assertThat(send("orders", "/api", "x-user", "other").statusCode()).isEqualTo(200);
    assertThat(get("orders", "/api").statusCode()).isEqualTo(200);
    assertThat(proxy.injections("test-user-fails")).isEqualTo(1);
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
  void updatesAndDeletesTakeEffectOnceTheFilterAcks() throws Exception {
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
    assertThat(get("orders", "/flip").statusCode()).isEqualTo(502);

    hfi.awaitApplied(hfi.delete("flip").revision(), ACK_TIMEOUT);
    assertThat(get("orders", "/flip").statusCode()).isEqualTo(200);
    assertThat(proxy.ruleSetVersion("orders")).isEqualTo(controlPlane.ruleSet().version());
  }

  @Test
  void grpcAbortIsATrailersOnlyAnswer() throws Exception {
    apply(
        """
        metadata: {name: grpc-down}
        spec:
          match: {path: {prefix: /grpc.Service/}}
          fault: {abort: {grpcStatus: 14}}
        """);
    HttpResponse<String> r = get("orders", "/grpc.Service/Call");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("grpc-status")).hasValue("14");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/grpc");
    assertThat(r.headers().firstValue("x-hfi-fault")).hasValue("grpc-down");
  }

  private static void apply(String yaml) {
    ApplyResult r =
        hfi.apply(
            "apiVersion: hfi.dev/v1alpha1\nkind: FaultInjectionPolicy\n" + yaml,
            PolicyCodec.Format.YAML);
    hfi.awaitApplied(r.revision(), ACK_TIMEOUT);
  }

  private static HttpResponse<String> get(String upstreamName, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(proxy.proxyUri(upstreamName).resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(
      String upstreamName, String path, String header, String value) throws Exception {
    return http.send(
        HttpRequest.newBuilder(proxy.proxyUri(upstreamName).resolve(path))
            .header(header, value)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
