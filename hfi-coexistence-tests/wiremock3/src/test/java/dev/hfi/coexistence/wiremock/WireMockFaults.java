package dev.hfi.coexistence.wiremock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.hfi.junit.HfiStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What both orders of declaration check: WireMock stubs the upstream, HFI's proxy fronts it, and an
 * abort, a delay and pass-through are all seen through the proxy.
 */
final class WireMockFaults {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private WireMockFaults() {}

  static void stub(WireMockExtension wm) {
    wm.stubFor(
        get(urlEqualTo("/api/orders/1"))
            .willReturn(aResponse().withStatus(200).withBody("{\"id\":1}")));
  }

  static HttpResponse<String> call(HfiStack stack) throws Exception {
    URI uri = stack.proxyUri("orders").resolve("/api/orders/1");
    return HTTP.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void passesThrough(WireMockExtension wm, HfiStack stack) throws Exception {
    HttpResponse<String> r = call(stack);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"id\":1}");
    assertThat(r.headers().firstValue("x-hfi-fault")).isEmpty();
    wm.verify(1, getRequestedFor(urlEqualTo("/api/orders/1")));
  }

  static void aborted(WireMockExtension wm, HfiStack stack) throws Exception {
    HttpResponse<String> r = call(stack);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("x-hfi-fault")).isPresent();
    wm.verify(0, getRequestedFor(urlEqualTo("/api/orders/1")));
    assertThat(stack.aborts("orders")).isEqualTo(1);
  }

  static void delayed(WireMockExtension wm, HfiStack stack) throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> r = call(stack);
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"id\":1}");
    assertThat(tookMs).isGreaterThanOrEqualTo(400);
    wm.verify(1, getRequestedFor(urlEqualTo("/api/orders/1")));
    assertThat(stack.delays("orders")).isEqualTo(1);
  }
}
