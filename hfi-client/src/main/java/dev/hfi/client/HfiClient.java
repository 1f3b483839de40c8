package dev.hfi.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hfi.client.internal.Json;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * Java client for the control-plane HTTP API (used by the CLI and the JUnit extension).
 *
 * <p>Errors are typed: {@link InvalidPolicyException} (400, with the server's message), {@link
 * PolicyNotFoundException} (404), {@link ConflictException} (409), {@link
 * StoreUnavailableException} (503), {@link ControlPlaneUnreachableException} naming the address
 * tried ({@link NotAControlPlaneException} when what answers there is not an HFI control plane),
 * else {@link HfiException} with the server's code. Thread-safe; one instance can serve a whole
 * program. Streams ({@link #subscribeRuleSets}, {@link #subscribeEvents}) deliver on OkHttp's
 * threads, in order, and end with {@link Subscription#close()}.
 *
 * <pre>{@code
 * try (HfiClient client = HfiClient.builder().withBaseUri(URI.create("http://127.0.0.1:8080")).build()) {
 *   ApplyResult r = client.apply(policy);          // CREATED, CONFIGURED or UNCHANGED
 *   client.awaitApplied(r.revision(), Duration.ofSeconds(10));  // every live data plane has it
 * }
 * }</pre>
 */
public final class HfiClient implements AutoCloseable {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final int MAX_CONCURRENT_CALLS = 4096;

  private final HttpUrl base;
  private final String token;
  private final Duration timeout;
  private final OkHttpClient http;
  private final OkHttpClient streams;

  private HfiClient(Builder b) {
    this.base = HttpUrl.get(b.baseUri);
    this.token = b.token;
    this.timeout = b.timeout;
    // OkHttp allows 5 concurrent calls per host by default; every open stream is one call.
    okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
    dispatcher.setMaxRequests(MAX_CONCURRENT_CALLS);
    dispatcher.setMaxRequestsPerHost(MAX_CONCURRENT_CALLS);
    this.http =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .callTimeout(b.timeout)
            .connectTimeout(b.timeout)
            .readTimeout(b.timeout)
            .retryOnConnectionFailure(true)
            .build();
    // Streams stay open; the server sends a heartbeat every 15 s, so 60 s of silence means it is
    // gone.
    this.streams =
        http.newBuilder().callTimeout(Duration.ZERO).readTimeout(Duration.ofSeconds(60)).build();
  }

  /** A builder; {@link Builder#withBaseUri} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The control plane's address. */
  public URI baseUri() {
    return base.uri();
  }

  /** {@code POST /v1/policies}: creates or updates; says which, with the resulting revision. */
  public ApplyResult apply(FaultInjectionPolicy policy) {
    return apply(PolicyCodec.toJson(policy), PolicyCodec.Format.JSON);
  }

  /** {@code POST /v1/policies} with a JSON or YAML document as is (the CLI's {@code apply -f}). */
  public ApplyResult apply(String document, PolicyCodec.Format format) {
    MediaType type =
        MediaType.get(format == PolicyCodec.Format.YAML ? "application/yaml" : "application/json");
    Request req = request("v1/policies").post(RequestBody.create(document, type)).build();
    return applied(req);
  }

  /**
   * {@code POST /v1/policies?dryRun=true}: validates {@code policy} on the server and says what an
   * apply would do (created, configured or unchanged, or the same exceptions), storing nothing.
   */
  public ApplyResult dryRun(FaultInjectionPolicy policy) {
    Request req =
        authorized(
                new Request.Builder()
                    .url(url("v1/policies").addQueryParameter("dryRun", "true").build()))
            .post(RequestBody.create(PolicyCodec.toJson(policy), JSON))
            .build();
    return applied(req);
  }

  /** {@code PUT /v1/policies/{name}}: updates or creates under the policy's name. */
  public ApplyResult put(FaultInjectionPolicy policy) {
    Request req =
        request("v1/policies/" + policy.name())
            .put(RequestBody.create(PolicyCodec.toJson(policy), JSON))
            .build();
    return applied(req);
  }

  /** {@code GET /v1/policies/{name}}. */
  public FaultInjectionPolicy get(String name) {
    return call(
        request("v1/policies/" + name).get().build(), r -> read(r, FaultInjectionPolicy.class));
  }

  /** {@code GET /v1/policies}: every policy, sorted by name, with the store revision. */
  public PolicySnapshot list() {
    return call(
        request("v1/policies").get().build(),
        r -> {
          JsonNode root = read(r, JsonNode.class);
          List<FaultInjectionPolicy> items = new ArrayList<>();
          for (JsonNode n : root.path("items")) {
            items.add(Json.LENIENT.treeToValue(n, FaultInjectionPolicy.class));
          }
          return new PolicySnapshot(
              root.path("metadata").path("resourceVersion").asLong(), List.copyOf(items));
        });
  }

  /** {@code DELETE /v1/policies/{name}}: the deleted policy and the revision of the deletion. */
  public DeletedPolicy delete(String name) {
    return call(
        request("v1/policies/" + name).delete().build(),
        r -> new DeletedPolicy(read(r, FaultInjectionPolicy.class), revision(r)));
  }

  /** {@code GET /v1/nodes}: the current rule-set version and every data-plane instance. */
  public Nodes nodes() {
    return call(
        request("v1/nodes").get().build(),
        r -> {
          JsonNode root = read(r, JsonNode.class);
          List<DataPlaneInstance> items = new ArrayList<>();
          for (JsonNode n : root.path("items")) {
            items.add(Json.LENIENT.treeToValue(n, DataPlaneInstance.class));
          }
          return new Nodes(root.path("version").asLong(), List.copyOf(items));
        });
  }

  /**
   * {@code DELETE /v1/nodes/{node}/instances/{instance}}: the goodbye of a data plane that shuts
   * down, so that its filter instance leaves {@code /v1/nodes} (and no longer counts for {@link
   * #awaitApplied}) at once instead of going stale, then expiring. Returns the removed instance, or
   * empty when the control plane does not know it (never reported, already removed or expired). An
   * instance that polls again afterwards is listed again.
   */
  public Optional<DataPlaneInstance> removeInstance(String node, String instance) {
    HttpUrl url =
        url("v1/nodes")
            .addPathSegment(Objects.requireNonNull(node, "node"))
            .addPathSegment("instances")
            .addPathSegment(Objects.requireNonNull(instance, "instance"))
            .build();
    return removed(authorized(new Request.Builder().url(url)).delete().build()).stream()
        .findFirst();
  }

  /**
   * {@code DELETE /v1/nodes/{node}}: removes every instance of {@code node}, for a data plane that
   * owns that node name alone (when it cannot learn its instance ids); empty when there is none.
   * Prefer {@link #removeInstance} when other data planes may report under the same name.
   */
  public List<DataPlaneInstance> removeNode(String node) {
    HttpUrl url = url("v1/nodes").addPathSegment(Objects.requireNonNull(node, "node")).build();
    return removed(authorized(new Request.Builder().url(url)).delete().build());
  }

  private List<DataPlaneInstance> removed(Request req) {
    try (Response r = http.newCall(req).execute()) {
      if (!r.isSuccessful()) {
        HfiException e = error(r);
        if (e instanceof PolicyNotFoundException) {
          return List.of();
        }
        throw e;
      }
      List<DataPlaneInstance> items = new ArrayList<>();
      for (JsonNode n : read(r, JsonNode.class).path("items")) {
        items.add(Json.LENIENT.treeToValue(n, DataPlaneInstance.class));
      }
      return List.copyOf(items);
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  /**
   * The long-poll form of {@code GET /v1/config/stream}, as a filter calls it: reports that {@code
   * instance} of {@code node} applied {@code version} (and rejected {@code rejected} with {@code
   * error}, when not null); returns the new rule set, or empty on 304 after {@code wait}.
   */
  public Optional<RuleSet> poll(
      String node, String instance, long version, Long rejected, String error, Duration wait) {
    HttpUrl.Builder url =
        url("v1/config/stream")
            .addQueryParameter("node", node)
            .addQueryParameter("instance", instance)
            .addQueryParameter("version", Long.toString(version))
            .addQueryParameter("wait", Durations.format(wait));
    if (rejected != null) {
      url.addQueryParameter("rejected", Long.toString(rejected));
      url.addQueryParameter("error", error == null ? "" : error);
    }
    OkHttpClient longPoll =
        http.newBuilder().callTimeout(wait.plus(timeout)).readTimeout(wait.plus(timeout)).build();
    Request req = authorized(new Request.Builder().url(url.build())).get().build();
    try (Response r = longPoll.newCall(req).execute()) {
      if (r.code() == 304) {
        return Optional.empty();
      }
      if (!r.isSuccessful()) {
        throw error(r);
      }
      return Optional.of(parseSingleEvent(r.body().string()));
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  /** {@code GET /healthz}: whether the server answers 200. */
  public boolean isHealthy() {
    return probe("healthz");
  }

  /** {@code GET /readyz}: whether the server and its store are ready. */
  public boolean isReady() {
    return probe("readyz");
  }

  /** {@code GET /metrics}: Prometheus text. */
  public String metrics() {
    return call(request("metrics").get().build(), r -> r.body().string());
  }

  /**
   * Subscribes to {@code GET /v1/config/stream} (SSE): the current rule set at once, then each new
   * one. With {@code lastEventId} (the last version seen) a resumed stream skips what it has.
   */
  public Subscription subscribeRuleSets(Long lastEventId, StreamListener<RuleSet> listener) {
    Request.Builder req = request("v1/config/stream").get();
    if (lastEventId != null) {
      req.header("Last-Event-ID", Long.toString(lastEventId));
    }
    return subscribe(
        req.build(),
        listener,
        (id, type, data) ->
            "ruleset".equals(type) ? new RuleSet(Long.parseLong(id), data, ruleCount(data)) : null);
  }

  /**
   * Subscribes to {@code GET /v1/events}: policy changes, rule sets, ACKs, NACKs, stale instances.
   */
  public Subscription subscribeEvents(StreamListener<ControlPlaneEvent> listener) {
    return subscribe(
        request("v1/events").get().build(),
        listener,
        (id, type, data) -> Json.LENIENT.readValue(data, ControlPlaneEvent.class));
  }

  /**
   * Blocks until every live (non-stale) data-plane instance has applied a rule set with version
   * {@code >= version} (typically the {@link ApplyResult#revision()} of an apply). Event-driven: it
   * subscribes to {@code /v1/events} first, then reads {@code /v1/nodes} (an {@link AckTracker} for
   * this one wait; keep a tracker open to wait often). Returns at once when no instance is live.
   *
   * @throws RuleSetRejectedException when a live instance that has not reached {@code version}
   *     NACKs a version {@code >= version}, naming it
   * @throws AwaitTimeoutException after {@code timeout}, naming the instances that lag
   */
  public void awaitApplied(long version, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (AckTracker acks = AckTracker.open(this, timeout)) {
      acks.await(version, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
  }

  /** Releases connections and threads. Open subscriptions end. */
  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  /** The answer of {@code GET /v1/nodes}. */
  public record Nodes(long version, List<DataPlaneInstance> items) {}

  /** An open stream; closing it ends the subscription. */
  public interface Subscription extends Closeable {
    @Override
    void close();
  }

  /** Receives stream items in order on a client thread. */
  public interface StreamListener<T> {
    /** The stream is open (response headers received): nothing after this point is missed. */
    default void onOpen() {}

    /** One item. */
    void onEvent(T item);

    /** The stream ended with an error (not called after {@link Subscription#close()}). */
    default void onError(HfiException error) {}

    /** The server ended the stream. */
    default void onClosed() {}
  }

  @FunctionalInterface
  private interface Decoder<T> {
    T decode(String id, String type, String data) throws IOException;
  }

  private <T> Subscription subscribe(Request req, StreamListener<T> listener, Decoder<T> decoder) {
    Object lock = new Object();
    boolean[] closed = {false};
    EventSource source =
        EventSources.createFactory(streams)
            .newEventSource(
                req,
                new EventSourceListener() {
                  @Override
                  public void onOpen(EventSource es, Response response) {
                    listener.onOpen();
                  }

                  @Override
                  public void onEvent(EventSource es, String id, String type, String data) {
                    try {
                      T item = decoder.decode(id, type, data);
                      if (item != null) {
                        listener.onEvent(item);
                      }
                    } catch (IOException | RuntimeException e) {
                      listener.onError(
                          new HfiException(
                              ErrorCode.INTERNAL, "cannot read event: " + e.getMessage(), e));
                    }
                  }

                  @Override
                  public void onClosed(EventSource es) {
                    listener.onClosed();
                  }

                  @Override
                  public void onFailure(EventSource es, Throwable t, Response response) {
                    synchronized (lock) {
                      if (closed[0]) {
                        return;
                      }
                    }
                    if (response != null && !response.isSuccessful()) {
                      listener.onError(error(response));
                    } else {
                      listener.onError(
                          unreachable(t instanceof IOException io ? io : new IOException(t)));
                    }
                  }
                });
    return () -> {
      synchronized (lock) {
        closed[0] = true;
      }
      source.cancel();
    };
  }

  private ApplyResult applied(Request req) {
    return call(
        req,
        r -> {
          String outcome = r.header("X-Hfi-Apply-Result");
          ApplyResult.Outcome o =
              outcome != null
                  ? ApplyResult.Outcome.fromWireName(outcome)
                  : r.code() == 201 ? ApplyResult.Outcome.CREATED : ApplyResult.Outcome.CONFIGURED;
          return new ApplyResult(o, read(r, FaultInjectionPolicy.class), revision(r));
        });
  }

  @FunctionalInterface
  private interface ResponseReader<T> {
    T read(Response r) throws IOException;
  }

  private <T> T call(Request req, ResponseReader<T> reader) {
    try (Response r = http.newCall(req).execute()) {
      if (!r.isSuccessful()) {
        throw error(r);
      }
      try {
        return reader.read(r);
      } catch (JsonProcessingException e) {
        throw notAControlPlane(
            r, "answered HTTP " + r.code() + " with something that is not HFI's JSON");
      }
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  private boolean probe(String path) {
    try (Response r = http.newCall(request(path).get().build()).execute()) {
      return r.code() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  private static <T> T read(Response r, Class<T> type) throws IOException {
    ResponseBody body = r.body();
    return Json.LENIENT.readValue(body.string(), type);
  }

  private static long revision(Response r) {
    String h = r.header("X-Hfi-Revision");
    return h == null ? 0 : Long.parseLong(h);
  }

  private static int ruleCount(String json) throws IOException {
    return Json.LENIENT.readTree(json).path("rules").size();
  }

  private static RuleSet parseSingleEvent(String body) throws IOException {
    String id = null;
    String data = null;
    for (String line : body.split("\n")) {
      if (line.startsWith("id:")) {
        id = line.substring(3).trim();
      } else if (line.startsWith("data:")) {
        data = line.substring(5).trim();
      }
    }
    if (id == null || data == null) {
      throw new HfiException(ErrorCode.INTERNAL, "the server's long-poll answer has no rule set");
    }
    return new RuleSet(Long.parseLong(id), data, ruleCount(data));
  }

  private HfiException error(Response r) {
    JsonNode err = null;
    try {
      ResponseBody body = r.body();
      if (body != null) {
        err = Json.LENIENT.readTree(body.string()).path("error");
      }
    } catch (IOException | RuntimeException unreadable) {
      // Not JSON: handled below.
    }
    if (err == null || !err.path("code").isTextual() || !err.path("message").isTextual()) {
      return notAControlPlane(r, "answered HTTP " + r.code() + " without HFI's JSON error");
    }
    String message = err.path("message").asText();
    ErrorCode code = ErrorCode.fromCode(err.path("code").asText());
    return switch (r.code()) {
      case 400 -> invalid(err.path("problems"), message);
      case 404 -> new PolicyNotFoundException(message);
      case 409 -> new ConflictException(message);
      case 503 -> new StoreUnavailableException(message);
      default -> new HfiException(code, message);
    };
  }

  /** The server's problems, one by one when it lists them (servers before 0.1 did not). */
  private static InvalidPolicyException invalid(JsonNode problems, String message) {
    List<String> list = new ArrayList<>();
    for (JsonNode p : problems) {
      if (p.isTextual()) {
        list.add(p.asText());
      }
    }
    return list.isEmpty() ? new InvalidPolicyException(message) : new InvalidPolicyException(list);
  }

  private NotAControlPlaneException notAControlPlane(Response r, String what) {
    String type = r.header("Content-Type");
    return new NotAControlPlaneException(
        "the server at "
            + base
            + " does not look like an HFI control plane: "
            + r.request().method()
            + " "
            + r.request().url().encodedPath()
            + " "
            + what
            + (type == null ? " (no content type)" : " (" + type + ")"));
  }

  private ControlPlaneUnreachableException unreachable(IOException e) {
    return new ControlPlaneUnreachableException(
        "cannot reach the control plane at " + base + ": " + e.getMessage(), e);
  }

  private HttpUrl.Builder url(String path) {
    return base.newBuilder().addPathSegments(path);
  }

  private Request.Builder request(String path) {
    return authorized(new Request.Builder().url(url(path).build()));
  }

  private Request.Builder authorized(Request.Builder b) {
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  /** Configures an {@link HfiClient}. */
  public static final class Builder {
    private URI baseUri;
    private String token;
    private Duration timeout = Duration.ofSeconds(30);

    private Builder() {}

    /** The control plane, e.g. {@code http://127.0.0.1:8080} (required). */
    public Builder withBaseUri(URI baseUri) {
      this.baseUri = baseUri;
      return this;
    }

    /** Bearer token sent on every request; null = none. */
    public Builder withToken(String token) {
      this.token = token;
      return this;
    }

    /** Timeout of each REST call (connect to last byte); default 30s. */
    public Builder withTimeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * Checks the settings and builds the client.
     *
     * @throws HfiException {@link ErrorCode#INVALID_CONFIGURATION} naming every bad setting
     */
    public HfiClient build() {
      List<String> problems = new ArrayList<>();
      if (baseUri == null) {
        problems.add("withBaseUri: required, e.g. http://127.0.0.1:8080");
      } else if (!("http".equals(baseUri.getScheme()) || "https".equals(baseUri.getScheme()))
          || baseUri.getHost() == null) {
        problems.add(
            "withBaseUri: \""
                + baseUri
                + "\" must be an http or https URI with a host, e.g. http://127.0.0.1:8080");
      }
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        problems.add("withTimeout(" + Durations.format(timeout) + "): must be positive, e.g. 30s");
      }
      if (!problems.isEmpty()) {
        throw new HfiException(
            ErrorCode.INVALID_CONFIGURATION, "HfiClient.builder(): " + String.join("; ", problems));
      }
      return new HfiClient(this);
    }
  }
}
