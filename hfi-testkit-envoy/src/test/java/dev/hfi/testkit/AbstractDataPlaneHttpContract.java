package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsServer;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What a client sees through any data plane when no policy applies: the upstream's headers as it
 * sent them, Envoy's answer for an upstream that is down, resets or fails TLS, and {@code https}
 * upstreams. Only HTTP over sockets is asserted, so each data plane (embedded, Envoy) runs the same
 * suite by implementing {@link #start}.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractDataPlaneHttpContract {
  /** Envoy's answer to an upstream failure before its response headers begins with this. */
  static final String UPSTREAM_FAILURE =
      "upstream connect error or disconnect/reset before headers. reset reason: ";

  static final String UPSTREAM_DATE = "Mon, 01 Jan 2001 00:00:00 GMT";
  static final String UPSTREAM_SERVER = "raw-upstream/1";

  /** A data plane under test, started. */
  interface RunningDataPlane extends AutoCloseable {
    /** Where a client reaches {@code upstream} through it. */
    URI proxyUri(String upstream);

    @Override
    void close();
  }

  /**
   * Starts the data plane under test: one listener per upstream (its name is the node name), its
   * filter reporting to {@code controlPlane}; {@code https} upstreams are checked against the CA
   * certificates of {@code trustedCaPem}, or against the default trust when it is null. Returns
   * once it serves.
   */
  abstract RunningDataPlane start(URI controlPlane, Map<String, URI> upstreams, Path trustedCaPem);

  /**
   * The {@code Server} header a client sees when the upstream sent {@code upstreamServer}. The
   * embedded data plane passes it through; Envoy overwrites it with {@code envoy} unless its {@code
   * server_header_transformation} is {@code PASS_THROUGH}.
   */
  String expectedServer(String upstreamServer) {
    return upstreamServer;
  }

  private MemoryPolicyStore store;
  private ControlPlaneServer controlPlane;
  private RawUpstream dated;
  private RawUpstream undated;
  private RawUpstream resetting;
  private HttpsServer tls;
  private RunningDataPlane proxy;
  private RunningDataPlane trustingProxy;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void startStack() throws Exception {
    store = new MemoryPolicyStore();
    controlPlane = ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
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
    Path dir = Files.createTempDirectory("hfi-test-ca");
    TestCa ca = new TestCa(dir);
    tls = ca.startServer();
    Map<String, URI> upstreams = new LinkedHashMap<>();
    upstreams.put("dated", dated.uri());
    upstreams.put("undated", undated.uri());
    upstreams.put("down", RawUpstream.down());
    upstreams.put("resetting", resetting.uri());
    upstreams.put("tls-untrusted", TestCa.uri(tls));
    proxy = start(controlPlane.uri(), upstreams, null);
    trustingProxy = start(controlPlane.uri(), Map.of("tls-trusted", TestCa.uri(tls)), ca.caPem());
  }

  @AfterAll
  void stopStack() throws IOException {
    for (AutoCloseable c :
        new AutoCloseable[] {
          proxy, trustingProxy, dated, undated, resetting, controlPlane, store
        }) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
    if (tls != null) {
      tls.stop(0);
    }
  }

  @Test
  void theUpstreamsDateAndServerReachTheClientOnce() throws Exception {
    HttpResponse<String> r = get(proxy, "dated");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("dated");
    assertThat(r.headers().allValues("date")).containsExactly(UPSTREAM_DATE);
    assertThat(r.headers().allValues("server")).containsExactly(expectedServer(UPSTREAM_SERVER));
  }

  @Test
  void anAnswerWithoutDateGetsExactlyOne() throws Exception {
    HttpResponse<String> r = get(proxy, "undated");
    assertThat(r.body()).isEqualTo("undated");
    assertThat(r.headers().allValues("date")).hasSize(1);
  }

  @Test
  void anUpstreamThatIsDownGets503UpstreamConnectError() throws Exception {
    HttpResponse<String> r = get(proxy, "down");
    assertUpstreamFailure(r);
    assertThat(r.body()).contains("Connection refused");
  }

  @Test
  void anUpstreamThatResetsBeforeAnsweringGets503UpstreamConnectError() throws Exception {
    assertUpstreamFailure(get(proxy, "resetting"));
  }

  @Test
  void anHttpsUpstreamOfAnUntrustedCaGets503UpstreamConnectError() throws Exception {
    assertUpstreamFailure(get(proxy, "tls-untrusted"));
  }

  @Test
  void anHttpsUpstreamOfATrustedCaPassesThrough() throws Exception {
    HttpResponse<String> r = get(trustingProxy, "tls-trusted");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("hello over tls");
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

  private HttpResponse<String> get(RunningDataPlane dataPlane, String upstream) throws Exception {
    return http.send(
        HttpRequest.newBuilder(dataPlane.proxyUri(upstream).resolve("/api/x")).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
