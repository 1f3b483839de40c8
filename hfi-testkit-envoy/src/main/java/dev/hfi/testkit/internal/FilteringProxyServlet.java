package dev.hfi.testkit.internal;

import dev.hfi.wasmhost.Decision;
import dev.hfi.wasmhost.Decision.Paused;
import dev.hfi.wasmhost.Decision.Proceed;
import dev.hfi.wasmhost.Decision.Respond;
import dev.hfi.wasmhost.RequestHead;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.servlet.AsyncContext;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.DispatcherType;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.api.Response;
import org.eclipse.jetty.client.http.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.proxy.AsyncProxyServlet;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's asynchronous proxy servlet (streams bodies both ways, drops hop-by-hop headers, adds
 * {@code Via} and {@code X-Forwarded-For/Proto/Host}) with the HFI filter run on the request
 * headers first, as Envoy runs it before its router.
 *
 * <p>Answers follow Envoy where a client can see the difference: the upstream's {@code Date} and
 * {@code Server} are passed through (Jetty's own {@code Date} is replaced, not doubled; its {@code
 * Server} is never sent), and an upstream that cannot be reached or resets before answering gets
 * Envoy's {@code 503 upstream connect error or disconnect/reset before headers. reset reason: ...}
 * in {@code text/plain} (see docs/DATA_PLANE.md). Upstreams may be {@code https}: the server
 * certificate must chain to the JVM's default trust store or to {@code upstreamTrust}, and must
 * name the upstream URI's host (SNI is that host too).
 *
 * <p>A request the filter delays waits in a servlet {@link AsyncContext}, holding no thread; when
 * the filter lets it go (a host tick thread calls back) it is re-dispatched into this servlet,
 * which then proxies it or sends the filter's local answer.
 */
public final class FilteringProxyServlet extends AsyncProxyServlet {
  private static final Logger LOG = LoggerFactory.getLogger(FilteringProxyServlet.class);

  private static final String DECISION = FilteringProxyServlet.class.getName() + ".decision";

  /** The filter's {@link Proceed} of a request sent upstream: it awaits the response headers. */
  private static final String PROCEED = FilteringProxyServlet.class.getName() + ".proceed";

  /** What Envoy (1.40) answers when the upstream fails before its response headers. */
  public static final String UPSTREAM_FAILURE_PREFIX =
      "upstream connect error or disconnect/reset before headers. reset reason: ";

  private final transient WasmFilterHost filter;
  private final transient KeyStore upstreamTrust;
  private final String upstream;

  /**
   * Proxies to {@code upstream} (scheme, host, port, optional base path); an {@code https} upstream
   * must present a certificate issued by a CA in {@code upstreamTrust}, or in the JVM's default
   * trust store when it is null.
   */
  public FilteringProxyServlet(URI upstream, WasmFilterHost filter, KeyStore upstreamTrust) {
    this.filter = filter;
    this.upstreamTrust = upstreamTrust;
    String base = upstream.toString();
    this.upstream = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    if (request.getDispatcherType() == DispatcherType.ASYNC) {
      Object decided = request.getAttribute(DECISION);
      request.removeAttribute(DECISION);
      if (decided instanceof Respond answer) {
        respond(response, answer);
      } else {
        proxy(request, response, decided);
      }
      return;
    }
    Decision decision = filter.onRequestHeaders(head(request));
    if (decision instanceof Proceed) {
      proxy(request, response, decision);
    } else if (decision instanceof Respond answer) {
      respond(response, answer);
    } else {
      park(request, (Paused) decision);
    }
  }

  private void proxy(HttpServletRequest request, HttpServletResponse response, Object decision)
      throws ServletException, IOException {
    if (decision instanceof Proceed proceed) {
      request.setAttribute(PROCEED, proceed);
    }
    super.service(request, response);
  }

  /** The filter's stream of a proxied request; a no-op one if it has none. */
  private static Proceed proceedOf(HttpServletRequest request) {
    Object p = request.getAttribute(PROCEED);
    return p instanceof Proceed proceed ? proceed : NO_STREAM;
  }

  private static final Proceed NO_STREAM = Decision.proceed();

  @Override
  protected String rewriteTarget(HttpServletRequest request) {
    String query = request.getQueryString();
    return upstream + request.getRequestURI() + (query == null ? "" : "?" + query);
  }

  @Override
  protected HttpClient newHttpClient() {
    SslContextFactory.Client tls = new SslContextFactory.Client();
    // Verify that the certificate names the upstream URI's host, as any Java HTTPS client does.
    tls.setEndpointIdentificationAlgorithm("HTTPS");
    if (upstreamTrust != null) {
      tls.setTrustStore(upstreamTrust);
    }
    int selectors = Math.max(1, Runtime.getRuntime().availableProcessors() / 2); // Jetty's default
    return new HttpClient(new HttpClientTransportOverHTTP(selectors), tls);
  }

  @Override
  protected void onServerResponseHeaders(
      HttpServletRequest clientRequest,
      HttpServletResponse proxyResponse,
      Response serverResponse) {
    // Jetty put its own Date in when the exchange began; the upstream's replaces it rather than
    // joining it (Envoy keeps the upstream's and adds one only when there is none).
    if (serverResponse.getHeaders().containsKey(HttpHeader.DATE.asString())) {
      proxyResponse.setHeader(HttpHeader.DATE.asString(), null);
    }
    super.onServerResponseHeaders(clientRequest, proxyResponse, serverResponse);
    // Before anything reaches the client, as Envoy runs on_response_headers before encoding.
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (HttpField f : serverResponse.getHeaders()) {
      headers.add(Map.entry(f.getLowerCaseName(), f.getValue()));
    }
    proceedOf(clientRequest).responseHeaders(serverResponse.getStatus(), headers);
  }

  @Override
  protected void onProxyResponseSuccess(
      HttpServletRequest clientRequest,
      HttpServletResponse proxyResponse,
      Response serverResponse) {
    proceedOf(clientRequest).end();
    super.onProxyResponseSuccess(clientRequest, proxyResponse, serverResponse);
  }

  @Override
  protected void onProxyResponseFailure(
      HttpServletRequest clientRequest,
      HttpServletResponse proxyResponse,
      Response serverResponse,
      Throwable failure) {
    if (proxyResponse.isCommitted()) {
      // Part of the answer is out already: only breaking the connection can tell the client.
      proceedOf(clientRequest).end();
      super.onProxyResponseFailure(clientRequest, proxyResponse, serverResponse, failure);
      return;
    }
    LOG.debug("upstream {} failed: {}", upstream, failure.toString());
    boolean timedOut = failure instanceof TimeoutException;
    proceedOf(clientRequest)
        .responseHeaders(timedOut ? 504 : 503, List.of(Map.entry("content-type", "text/plain")));
    String body =
        timedOut ? "upstream request timeout" : UPSTREAM_FAILURE_PREFIX + resetReason(failure);
    try {
      proxyResponse.reset(); // drops Jetty's Date too: a local answer carries one, as in Envoy
      proxyResponse.setDateHeader(HttpHeader.DATE.asString(), System.currentTimeMillis());
      proxyResponse.setStatus(timedOut ? 504 : 503);
      proxyResponse.setContentType("text/plain");
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      proxyResponse.setContentLength(bytes.length);
      proxyResponse.getOutputStream().write(bytes);
    } catch (IOException | IllegalStateException e) {
      LOG.debug("cannot answer the upstream failure: {}", e.toString());
    } finally {
      if (clientRequest.isAsyncStarted()) {
        clientRequest.getAsyncContext().complete();
      }
    }
  }

  /** Envoy's wording for why the upstream stream ended, with the JVM's detail. */
  private static String resetReason(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return "remote connection failure"; // word for word what Envoy 1.40 answers
      }
      if (t instanceof SocketTimeoutException) {
        return "connection timeout";
      }
      if (t instanceof SSLException) {
        return "remote connection failure, transport failure reason: TLS error: " + t.getMessage();
      }
    }
    return "connection termination";
  }

  private static void park(HttpServletRequest request, Paused paused) {
    AsyncContext async = request.startAsync();
    async.setTimeout(0); // a delay may last up to an hour: the filter decides when it ends
    async.addListener(
        new AsyncListener() {
          @Override
          public void onComplete(AsyncEvent event) {}

          @Override
          public void onTimeout(AsyncEvent event) {
            paused.abandon();
          }

          @Override
          public void onError(AsyncEvent event) {
            paused.abandon();
          }

          @Override
          public void onStartAsync(AsyncEvent event) {}
        });
    paused.whenResumed(
        decision -> {
          request.setAttribute(DECISION, decision);
          try {
            async.dispatch();
          } catch (RejectedExecutionException | IllegalStateException e) {
            // The listener stopped while the request was delayed: its connection is gone too.
            LOG.debug("delayed request released after the listener stopped: {}", e.toString());
          }
        });
  }

  /** The filter's local answer, as Envoy sends it (a gRPC status becomes a trailers-only 200). */
  private static void respond(HttpServletResponse response, Respond answer) throws IOException {
    boolean grpc = answer.grpcStatus() >= 0;
    response.setStatus(grpc ? 200 : answer.status());
    for (Map.Entry<String, String> h : answer.headers()) {
      response.addHeader(h.getKey(), h.getValue());
    }
    if (grpc) {
      response.setContentType("application/grpc");
      response.setHeader("grpc-status", Integer.toString(answer.grpcStatus()));
      response.setContentLength(0);
      return;
    }
    if (answer.body().length > 0 && response.getContentType() == null) {
      response.setContentType("text/plain");
    }
    response.setContentLength(answer.body().length);
    response.getOutputStream().write(answer.body());
  }

  private static RequestHead head(HttpServletRequest request) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String authority = null;
    for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
      String name = names.nextElement();
      String lower = name.toLowerCase(Locale.ROOT);
      for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
        String value = values.nextElement();
        if (lower.equals("host")) {
          authority = value; // HTTP/1.1's Host is HTTP/2's :authority, as Envoy presents it
        } else {
          headers.add(Map.entry(lower, value));
        }
      }
    }
    String query = request.getQueryString();
    return new RequestHead(
        request.getMethod(),
        request.getRequestURI() + (query == null ? "" : "?" + query),
        authority == null ? "" : authority,
        request.getScheme(),
        headers,
        request.getRemoteAddr(),
        request.getRemotePort(),
        request.getLocalPort());
  }
}
