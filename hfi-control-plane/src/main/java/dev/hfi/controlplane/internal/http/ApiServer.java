package dev.hfi.controlplane.internal.http;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.ExceptionHandlerImpl;
import spark.ExceptionMapper;
import spark.FilterImpl;
import spark.Response;
import spark.RouteImpl;
import spark.embeddedserver.jetty.JettyHandler;
import spark.embeddedserver.jetty.SocketConnectorFactory;
import spark.http.matching.MatcherFilter;
import spark.route.HttpMethod;
import spark.route.Routes;
import spark.staticfiles.StaticFilesConfiguration;
import spark.utils.SparkUtils;

/**
 * The control plane's HTTP server: a Jetty server of its own, Spark's route matching for the REST
 * routes of {@link ApiRoutes}, and a handler in front of it that serves the stream routes
 * asynchronously. Every route shares the bearer-token check, the error JSON and the request log.
 *
 * <p>It does not go through Spark's {@code Service}: that chooses its server in the static {@code
 * EmbeddedServers} registry and keeps 404/500 pages in the static {@code CustomErrorPages}, both
 * shared with every Spark application in the JVM (a user's own too), written without a lock and
 * never cleaned. Here Spark's {@link Routes}, {@link ExceptionMapper} and {@link MatcherFilter} are
 * this server's own objects, a request no route takes gets this server's 404, and nothing is left
 * behind by {@link #close()}. Servers may start in parallel.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  private final Map<String, ApiRoutes.Route> streams = new HashMap<>();
  private final Routes rest = Routes.create();
  private final ExceptionMapper errors = new ExceptionMapper();
  private final String token;
  private final RequestLog requestLog;
  private Server server;

  /**
   * A server for {@code routes}, with {@code token} (null = open) and the DNS-rebinding guard
   * {@code hostGuard} (null = none; see {@link HttpSupport#checkHost}).
   */
  public ApiServer(
      List<ApiRoutes.Route> routes, String token, Set<String> hostGuard, RequestLog requestLog) {
    this.token = token;
    this.requestLog = requestLog;
    Set<String> open = new HashSet<>();
    for (ApiRoutes.Route r : routes) {
      if (r.isStream()) {
        streams.put(r.method() + " " + r.path(), r);
      } else {
        addRest(r);
      }
      if (r.open()) {
        open.add(r.path());
      }
    }
    rest.add(
        HttpMethod.before,
        new FilterImpl(SparkUtils.ALL_PATHS, "*/*") {
          @Override
          public void handle(spark.Request req, Response res) {
            HttpSupport.checkHost(req.raw(), hostGuard);
            if (!open.contains(req.pathInfo())) {
              HttpSupport.checkToken(req.raw(), token);
            }
          }
        });
    errors.map(
        HfiException.class,
        new ExceptionHandlerImpl<>(HfiException.class) {
          @Override
          public void handle(HfiException e, spark.Request req, Response res) {
            if (e.code().httpStatus() >= 500) {
              LOG.warn("{} {}: {}", req.requestMethod(), req.pathInfo(), e.getMessage());
            }
            res.status(e.code().httpStatus());
            res.type(HttpSupport.JSON);
            if (e.code() == ErrorCode.UNAUTHORIZED) {
              res.header("WWW-Authenticate", "Bearer realm=\"hfi\"");
            }
            res.body(HttpSupport.errorJson(e));
          }
        });
    errors.map(
        Exception.class,
        new ExceptionHandlerImpl<>(Exception.class) {
          @Override
          public void handle(Exception e, spark.Request req, Response res) {
            LOG.error("{} {} failed", req.requestMethod(), req.pathInfo(), e);
            res.status(500);
            res.type(HttpSupport.JSON);
            res.body(
                HttpSupport.errorJson(ErrorCode.INTERNAL, "internal error; see the server log"));
          }
        });
  }

  private void addRest(ApiRoutes.Route r) {
    HttpMethod method = HttpMethod.get(r.method().toLowerCase(java.util.Locale.ROOT));
    if (method == HttpMethod.unsupported) {
      throw new IllegalStateException("unsupported method " + r.method());
    }
    rest.add(
        method,
        RouteImpl.create(
            r.path(),
            (req, res) -> {
              req.attribute(HttpSupport.ROUTE_ATTRIBUTE, r.path());
              return r.rest().handle(req, res);
            }));
  }

  /**
   * Binds {@code bindAddress:port} (0 = a free port) and serves; returns the bound port.
   *
   * @throws HfiException when the address cannot be bound
   */
  public synchronized int start(String bindAddress, int port) {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("hfi-http");
    server = new Server(threads);
    server.setRequestLog(requestLog);
    server.setStopTimeout(2_000);
    ServerConnector connector =
        SocketConnectorFactory.createSocketConnector(server, bindAddress, port, true);
    server.addConnector(connector);
    // hasOtherHandlers: a request no route takes comes back unhandled, for this server's 404.
    MatcherFilter matcher =
        new MatcherFilter(rest, StaticFilesConfiguration.create(), errors, false, true);
    StreamHandler front = new StreamHandler();
    front.setHandler(new JettyHandler(matcher));
    server.setHandler(front);
    try {
      server.start();
    } catch (Exception e) {
      close();
      throw new HfiException(
          ErrorCode.INTERNAL,
          "cannot listen on " + bindAddress + ":" + port + ": " + e.getMessage(),
          e);
    } catch (Error e) {
      // A class missing or clashing on this classpath: the threads already started must not
      // outlive the failure, or they keep the JVM (a test run) from ever exiting.
      close();
      throw e;
    }
    return connector.getLocalPort();
  }

  /** Stops serving; open streams end. */
  @Override
  public synchronized void close() {
    if (server == null) {
      return;
    }
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping the HTTP server failed: {}", e.toString());
    }
  }

  private final class StreamHandler extends HandlerWrapper {
    @Override
    public void handle(
        String target, Request base, HttpServletRequest request, HttpServletResponse response)
        throws IOException, ServletException {
      ApiRoutes.Route route = streams.get(request.getMethod() + " " + target);
      if (route == null) {
        super.handle(target, base, request, response);
        if (!base.isHandled()) {
          base.setHandled(true);
          notFound(request, response);
        }
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

    private void notFound(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setStatus(HttpServletResponse.SC_NOT_FOUND);
      response.setContentType(HttpSupport.JSON);
      response
          .getOutputStream()
          .write(
              HttpSupport.errorJson(
                      ErrorCode.NOT_FOUND,
                      "no route " + request.getMethod() + " " + request.getPathInfo())
                  .getBytes(StandardCharsets.UTF_8));
    }
  }
}
