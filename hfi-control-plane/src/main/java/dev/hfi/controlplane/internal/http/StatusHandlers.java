package dev.hfi.controlplane.internal.http;

import dev.hfi.client.DataPlaneInstance;
import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import dev.hfi.client.RuleSet;
import dev.hfi.controlplane.PolicyStore;
import dev.hfi.controlplane.internal.Distributor;
import dev.hfi.controlplane.internal.NodeRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import spark.Request;
import spark.Response;

/** {@code /v1/nodes} (list, goodbye), {@code /healthz}, {@code /readyz}, {@code /metrics}. */
public final class StatusHandlers {
  private final PolicyStore store;
  private final Distributor distributor;
  private final NodeRegistry nodes;
  private final PrometheusMeterRegistry metrics;

  /** Status endpoints over these components. */
  public StatusHandlers(
      PolicyStore store,
      Distributor distributor,
      NodeRegistry nodes,
      PrometheusMeterRegistry metrics) {
    this.store = store;
    this.distributor = distributor;
    this.nodes = nodes;
    this.metrics = metrics;
  }

  /** {@code GET /v1/nodes}: every data-plane instance and the current rule-set version. */
  public Object nodes(Request req, Response res) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", distributor.current().version());
    body.put("items", nodes.list());
    return PolicyHandlers.json(res, 200, body);
  }

  /**
   * {@code DELETE /v1/nodes/{node}/instances/{instance}}: a data plane's goodbye for one of its
   * filter instances; 200 with the removed instance in {@code items}, 404 when there is none.
   */
  public Object deleteInstance(Request req, Response res) {
    String node = pathParameter(req, "node");
    String instance = pathParameter(req, "instance");
    DataPlaneInstance gone =
        nodes
            .remove(node, instance)
            .orElseThrow(
                () ->
                    new HfiException(
                        ErrorCode.NOT_FOUND,
                        "instance \""
                            + instance
                            + "\" of node \""
                            + node
                            + "\" not found (never reported, already removed or expired)"));
    return PolicyHandlers.json(res, 200, Map.of("items", List.of(gone)));
  }

  /**
   * {@code DELETE /v1/nodes/{node}}: every instance of the node, for a data plane that owns the
   * node name; 200 with the removed instances in {@code items}, 404 when there is none.
   */
  public Object deleteNode(Request req, Response res) {
    String node = pathParameter(req, "node");
    List<DataPlaneInstance> gone = nodes.removeNode(node);
    if (gone.isEmpty()) {
      throw new HfiException(
          ErrorCode.NOT_FOUND, "node \"" + node + "\" not found: it has no data-plane instances");
    }
    return PolicyHandlers.json(res, 200, Map.of("items", gone));
  }

  /** As the long poll accepts them: not blank, at most 253 characters. */
  private static String pathParameter(Request req, String name) {
    String v = req.params(name);
    if (v == null || v.isBlank()) {
      throw new HfiException(ErrorCode.INVALID, "path parameter " + name + ": must not be blank");
    }
    if (v.length() > 253) {
      throw new HfiException(
          ErrorCode.INVALID,
          "path parameter " + name + ": at most 253 characters, got " + v.length());
    }
    return v;
  }

  /** {@code GET /healthz}: the process is up. */
  public Object healthz(Request req, Response res) {
    return PolicyHandlers.json(res, 200, Map.of("status", "ok"));
  }

  /** {@code GET /readyz}: the store answers and a rule set is compiled; else 503. */
  public Object readyz(Request req, Response res) {
    RuleSet rs = distributor.current();
    long revision;
    try {
      revision = store.revision();
    } catch (HfiException e) {
      throw new HfiException(ErrorCode.UNAVAILABLE, "not ready: " + e.getMessage(), e);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "ready");
    body.put("revision", revision);
    body.put("ruleSetVersion", rs.version());
    return PolicyHandlers.json(res, 200, body);
  }

  /** {@code GET /metrics}: Prometheus text format. */
  public Object metrics(Request req, Response res) {
    res.status(200);
    res.type("text/plain; version=0.0.4; charset=utf-8");
    return metrics.scrape();
  }
}
