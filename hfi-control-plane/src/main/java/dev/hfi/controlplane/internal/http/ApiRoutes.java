package dev.hfi.controlplane.internal.http;

import java.io.IOException;
import java.util.List;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The one route table of the control-plane API. REST routes run as Spark routes; stream routes (SSE
 * and long poll) run as asynchronous handlers in the same Jetty server. Both kinds share the
 * bearer-token check, the error JSON and the request log.
 */
public final class ApiRoutes {
  private ApiRoutes() {}

  /** A handler for a stream route; it may start async processing and return at once. */
  @FunctionalInterface
  public interface StreamHandler {
    /** Handles the request. */
    void handle(HttpServletRequest request, HttpServletResponse response) throws IOException;
  }

  /**
   * One route: method and path (Spark syntax, {@code :name} is a parameter), whether it is open
   * without a token, and either a Spark route or a stream handler.
   */
  public record Route(
      String method, String path, boolean open, spark.Route rest, StreamHandler stream) {
    /** Whether it is served asynchronously outside Spark. */
    public boolean isStream() {
      return stream != null;
    }
  }

  /** Every route of the API. */
  public static List<Route> table(
      PolicyHandlers policies, StreamHandlers streams, StatusHandlers status) {
    return List.of(
        rest("POST", "/v1/policies", policies::create),
        rest("GET", "/v1/policies", policies::list),
        rest("GET", "/v1/policies/:name", policies::get),
        rest("PUT", "/v1/policies/:name", policies::put),
        rest("DELETE", "/v1/policies/:name", policies::delete),
        stream("GET", "/v1/config/stream", streams::config),
        rest("GET", "/v1/nodes", status::nodes),
        rest("DELETE", "/v1/nodes/:node", status::deleteNode),
        rest("DELETE", "/v1/nodes/:node/instances/:instance", status::deleteInstance),
        stream("GET", "/v1/events", streams::events),
        new Route("GET", "/healthz", true, status::healthz, null),
        new Route("GET", "/readyz", true, status::readyz, null),
        rest("GET", "/metrics", status::metrics));
  }

  private static Route rest(String method, String path, spark.Route handler) {
    return new Route(method, path, false, handler, null);
  }

  private static Route stream(String method, String path, StreamHandler handler) {
    return new Route(method, path, false, null, handler);
  }
}
