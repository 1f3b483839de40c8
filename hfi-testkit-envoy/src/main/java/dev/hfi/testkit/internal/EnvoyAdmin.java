package dev.hfi.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Envoy's admin interface as HFI reads it: readiness ({@code GET /ready}), the HFI filter's metrics
 * ({@code GET /stats}, where Envoy publishes a Wasm plugin's metrics as {@code wasmcustom.<name>})
 * and the ports listeners were bound to ({@code GET /listeners}). Thread-safe.
 */
public final class EnvoyAdmin {

  /** Envoy's prefix for metrics defined by Wasm plugins. */
  public static final String WASM_STAT_PREFIX = "wasmcustom.";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI admin;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  public EnvoyAdmin(URI admin) {
    this.admin = admin;
  }

  public URI uri() {
    return admin;
  }

  /**
   * Whether {@code GET /ready} answers 200 {@code LIVE}; otherwise what it said, for error
   * messages.
   */
  public Readiness readiness() throws InterruptedException {
    try {
      HttpResponse<String> response = get("/ready", Duration.ofSeconds(1));
      String body = response.body().strip();
      return new Readiness(
          response.statusCode() == 200 && body.equals("LIVE"), response.statusCode() + " " + body);
    } catch (IOException e) {
      return new Readiness(false, e.toString());
    }
  }

  /** The answer of {@code /ready}: live or not, and what it said. */
  public record Readiness(boolean live, String answer) {}

  /** The HFI filter's metrics, by name without the {@value #WASM_STAT_PREFIX} prefix. */
  public Map<String, Long> hfiMetrics() {
    String filter = URLEncoder.encode("^wasmcustom\\.hfi\\.", StandardCharsets.UTF_8);
    JsonNode stats = getJson("/stats?format=json&filter=" + filter).path("stats");
    Map<String, Long> out = new TreeMap<>();
    for (JsonNode stat : stats) {
      String name = stat.path("name").asText();
      if (name.startsWith(WASM_STAT_PREFIX) && stat.has("value")) {
        out.put(name.substring(WASM_STAT_PREFIX.length()), stat.path("value").asLong());
      }
    }
    return out;
  }

  /** The port each listener was bound to, by listener name. */
  public Map<String, Integer> listenerPorts() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (JsonNode listener : getJson("/listeners?format=json").path("listener_statuses")) {
      out.put(
          listener.path("name").asText(),
          listener.path("local_address").path("socket_address").path("port_value").asInt());
    }
    return out;
  }

  private JsonNode getJson(String path) {
    try {
      HttpResponse<String> response = get(path, Duration.ofSeconds(10));
      if (response.statusCode() != 200) {
        throw new IOException("GET " + admin.resolve(path) + " answered " + response.statusCode());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("Envoy's admin interface at " + admin + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking Envoy's admin interface", e);
    }
  }

  private HttpResponse<String> get(String path, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(admin.resolve(path)).timeout(timeout).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
