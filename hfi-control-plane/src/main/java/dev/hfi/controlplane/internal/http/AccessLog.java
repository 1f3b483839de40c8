package dev.hfi.controlplane.internal.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One structured log line and one timer sample per request, REST and stream alike (Jetty calls it
 * when a request completes, also for asynchronous ones). Fields, as SLF4J key-value pairs and in
 * the message: method, path, status, latencyMs, client, and policy for policy operations. The
 * library writes them through slf4j-api only; a JSON encoder (hfi-cli's {@code --log-format json})
 * turns the pairs into fields.
 */
public final class AccessLog implements RequestLog {
  private static final Logger LOG = LoggerFactory.getLogger("dev.hfi.controlplane.access");

  private final MeterRegistry metrics;

  /** A log recording {@code hfi.http.requests} timers in {@code metrics}. */
  public AccessLog(MeterRegistry metrics) {
    this.metrics = metrics;
  }

  @Override
  public void log(Request request, Response response) {
    long latency = Math.max(0, System.currentTimeMillis() - request.getTimeStamp());
    int status =
        response.getCommittedMetaData() != null
            ? response.getCommittedMetaData().getStatus()
            : response.getStatus();
    Object route = request.getAttribute(HttpSupport.ROUTE_ATTRIBUTE);
    Object policy = request.getAttribute(HttpSupport.POLICY_ATTRIBUTE);
    String method = request.getMethod();
    String path = request.getRequestURI();
    String client = request.getRemoteAddr();
    if (LOG.isInfoEnabled()) {
      // The fields as SLF4J key-value pairs (top-level JSON fields with hfi's --log-format json),
      // and in the message for plain-text logs.
      LoggingEventBuilder line =
          LOG.atInfo()
              .addKeyValue("method", method)
              .addKeyValue("path", path)
              .addKeyValue("status", status)
              .addKeyValue("latencyMs", latency)
              .addKeyValue("client", client);
      String text =
          "method="
              + method
              + " path="
              + path
              + " status="
              + status
              + " latencyMs="
              + latency
              + " client="
              + client;
      if (policy != null) {
        line = line.addKeyValue("policy", policy);
        text += " policy=" + policy;
      }
      line.log(text);
    }
    Timer.builder("hfi.http.requests")
        .description("HTTP requests by route and status")
        .tag("method", method)
        .tag("route", route == null ? "unmatched" : route.toString())
        .tag("status", Integer.toString(status))
        .register(metrics)
        .record(latency, TimeUnit.MILLISECONDS);
  }
}
