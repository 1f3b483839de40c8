package dev.hfi.controlplane.internal.http;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.ExceptionMapper;
import spark.embeddedserver.EmbeddedServer;
import spark.embeddedserver.EmbeddedServerFactory;
import spark.embeddedserver.jetty.EmbeddedJettyServer;
import spark.embeddedserver.jetty.JettyHandler;
import spark.embeddedserver.jetty.JettyServerFactory;
import spark.http.matching.MatcherFilter;
import spark.route.Routes;
import spark.staticfiles.StaticFilesConfiguration;

/**
 * Plugs HFI into Spark's embedded Jetty through Spark's own hooks ({@code EmbeddedServers.add} with
 * an {@link EmbeddedServerFactory}): the Jetty server gets our request log, and a handler in front
 * of Spark's serves the stream routes of {@link ApiRoutes} asynchronously, passing every other
 * request to Spark's routes.
 */
public final class JettyGlue implements EmbeddedServerFactory {
  private static final Logger LOG = LoggerFactory.getLogger(JettyGlue.class);

  private final Map<String, ApiRoutes.Route> streams = new HashMap<>();
  private final String token;
  private final RequestLog requestLog;

  /** Glue serving the stream routes of {@code routes}, with {@code token} (null = open). */
  public JettyGlue(List<ApiRoutes.Route> routes, String token, RequestLog requestLog) {
    for (ApiRoutes.Route r : routes) {
      if (r.isStream()) {
        streams.put(r.method() + " " + r.path(), r);
      }
    }
    this.token = token;
    this.requestLog = requestLog;
  }

  @Override
  public EmbeddedServer create(
      Routes routes,
      StaticFilesConfiguration staticFiles,
      ExceptionMapper exceptionMapper,
      boolean hasMultipleHandler) {
    MatcherFilter matcher = new MatcherFilter(routes, staticFiles, exceptionMapper, false, false);
    matcher.init(null);
    StreamHandler front = new StreamHandler();
    front.setHandler(new JettyHandler(matcher));
    return new EmbeddedJettyServer(new ServerFactory(), front);
  }

  private final class ServerFactory implements JettyServerFactory {
    @Override
    public Server create(int maxThreads, int minThreads, int threadTimeoutMillis) {
      QueuedThreadPool pool =
          maxThreads > 0
              ? new QueuedThreadPool(
                  maxThreads,
                  Math.max(minThreads, 8),
                  threadTimeoutMillis > 0 ? threadTimeoutMillis : 60_000)
              : new QueuedThreadPool();
      pool.setName("hfi-http");
      return create(pool);
    }

    @Override
    public Server create(ThreadPool threadPool) {
      Server server = threadPool == null ? new Server() : new Server(threadPool);
      server.setRequestLog(requestLog);
      server.setStopTimeout(2_000);
      return server;
    }
  }

  private final class StreamHandler extends HandlerWrapper {
    @Override
    public void handle(
        String target, Request base, HttpServletRequest request, HttpServletResponse response)
        throws IOException, javax.servlet.ServletException {
      ApiRoutes.Route route = streams.get(request.getMethod() + " " + target);
      if (route == null) {
        super.handle(target, base, request, response);
        return;
      }
      base.setHandled(true);
      request.setAttribute(HttpSupport.ROUTE_ATTRIBUTE, route.path());
      try {
        if (!route.open()) {
          HttpSupport.checkToken(request, token);
        }
        route.stream().handle(request, response);
      } catch (HfiException e) {
        HttpSupport.writeError(response, e);
      } catch (RuntimeException e) {
        LOG.error("stream route {} failed", route.path(), e);
        HttpSupport.writeError(
            response, new HfiException(ErrorCode.INTERNAL, "internal error; see the server log"));
      }
    }
  }
}
