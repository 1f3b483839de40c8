package dev.hfi.testkit.internal;

import dev.hfi.testkit.internal.WasmFilterHost.Decision;
import dev.hfi.testkit.internal.WasmFilterHost.Paused;
import dev.hfi.testkit.internal.WasmFilterHost.Proceed;
import dev.hfi.testkit.internal.WasmFilterHost.RequestHead;
import dev.hfi.testkit.internal.WasmFilterHost.Respond;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import javax.servlet.AsyncContext;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.DispatcherType;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.proxy.AsyncProxyServlet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's asynchronous proxy servlet (streams bodies both ways, drops hop-by-hop headers, adds
 * {@code Via} and {@code X-Forwarded-For/Proto/Host}) with the HFI filter run on the request
 * headers first, as Envoy runs it before its router.
 *
 * <p>A request the filter delays waits in a servlet {@link AsyncContext}, holding no thread; when
 * the filter lets it go (a host tick thread calls back) it is re-dispatched into this servlet,
 * which then proxies it or sends the filter's local answer.
 */
public final class FilteringProxyServlet extends AsyncProxyServlet {
  private static final Logger LOG = LoggerFactory.getLogger(FilteringProxyServlet.class);

  private static final String DECISION = FilteringProxyServlet.class.getName() + ".decision";

  private final transient WasmFilterHost filter;
  private final String upstream;

  /** Proxies to {@code upstream} (scheme, host, port, optional base path). */
  public FilteringProxyServlet(URI upstream, WasmFilterHost filter) {
    this.filter = filter;
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
        super.service(request, response);
      }
      return;
    }
    Decision decision = filter.onRequestHeaders(head(request));
    if (decision instanceof Proceed) {
      super.service(request, response);
    } else if (decision instanceof Respond answer) {
      respond(response, answer);
    } else {
      park(request, (Paused) decision);
    }
  }

  @Override
  protected String rewriteTarget(HttpServletRequest request) {
    String query = request.getQueryString();
    return upstream + request.getRequestURI() + (query == null ? "" : "?" + query);
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
