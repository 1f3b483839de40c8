package dev.hfi.testkit.internal;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.hfi.filter.CompiledHfiFilter;
import io.roastedroot.proxywasm.LogHandler;
import io.roastedroot.proxywasm.LogLevel;
import io.roastedroot.proxywasm.MetricType;
import io.roastedroot.proxywasm.MetricsHandler;
import io.roastedroot.proxywasm.PluginFactory;
import io.roastedroot.proxywasm.SharedDataHandler;
import io.roastedroot.proxywasm.WasmException;
import io.roastedroot.proxywasm.internal.Action;
import io.roastedroot.proxywasm.internal.ArrayProxyMap;
import io.roastedroot.proxywasm.internal.HttpCallResponseHandler;
import io.roastedroot.proxywasm.internal.HttpRequestAdaptor;
import io.roastedroot.proxywasm.internal.Plugin;
import io.roastedroot.proxywasm.internal.PluginHttpContext;
import io.roastedroot.proxywasm.internal.ProxyMap;
import io.roastedroot.proxywasm.internal.SendResponse;
import io.roastedroot.proxywasm.internal.ServerAdaptor;
import io.roastedroot.proxywasm.internal.WasmResult;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.api.Request;
import org.eclipse.jetty.client.api.Result;
import org.eclipse.jetty.client.util.BufferingResponseListener;
import org.eclipse.jetty.client.util.BytesContentProvider;
import org.eclipse.jetty.http.HttpField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code hfi-filter.wasm} VM in proxy-wasm-java-host, driven asynchronously. This is the only
 * class that touches the host's {@code io.roastedroot.proxywasm.internal} API, so a host upgrade
 * changes one file.
 *
 * <p>What it adds to the host (see docs/FILTER.md, "Host quirks"):
 *
 * <ul>
 *   <li>Paused requests hold no thread: {@code maybePause()} (which blocks on a latch) is never
 *       called; paused contexts are kept aside and, after every tick and http-call callback, those
 *       the filter continued or answered are handed back through their {@link Paused} handle.
 *   <li>Http calls go out on Jetty's asynchronous client with their timeout; the answer carries
 *       {@code :status} (the host drops it), a failed call answers with no headers, as in Envoy.
 *   <li>Assertions are off for the host's package: {@code Context.finishClose()} asserts that the
 *       closed context is the active one, which is false whenever a tick resumed another request
 *       (the host never resets its active context); the assertion has no other effect.
 * </ul>
 *
 * <p>Thread-safe: every call into the VM runs under the plugin's lock (one VM serialises its
 * requests, like one Envoy worker).
 */
public final class WasmFilterHost implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("dev.hfi.filter");
  private static final int MAX_CALL_RESPONSE_BYTES = 64 * 1024 * 1024;

  static {
    // Must run before the host's Context class is initialised: see the class comment.
    ServerAdaptor.class
        .getClassLoader()
        .setPackageAssertionStatus("io.roastedroot.proxywasm.internal", false);
  }

  /** The parsed module is immutable: parsed once per JVM, shared by every VM. */
  private static final class Module {
    static final long LOAD_NANOS;
    static final WasmModule MODULE;

    static {
      long start = System.nanoTime();
      MODULE = CompiledHfiFilter.load();
      LOAD_NANOS = System.nanoTime() - start;
    }
  }

  /** Proxy-wide shared data (the filter counts {@code maxInjections} in it across VMs). */
  public static final class SharedData {
    private final SharedDataHandler handler = new EnvoySemantics();

    /**
     * Shared data as Envoy's proxy-wasm host keeps it (proxy-wasm-cpp-host {@code shared_data.cc}):
     * a missing key is written whatever the CAS; an existing one only when the CAS matches or is 0.
     * The library's own handler refuses a non-zero CAS on a missing key, which would leave the
     * filter's race-free first {@code maxInjections} claim no way to create its counter.
     */
    private static final class EnvoySemantics implements SharedDataHandler {
      private final Map<String, io.roastedroot.proxywasm.SharedData> data = new HashMap<>();
      private int nextCas = 1;

      @Override
      public synchronized io.roastedroot.proxywasm.SharedData getSharedData(String key) {
        return data.get(key);
      }

      @Override
      public synchronized WasmResult setSharedData(String key, byte[] value, int cas) {
        io.roastedroot.proxywasm.SharedData old = data.get(key);
        if (old != null && cas != 0 && cas != old.cas()) {
          return WasmResult.CAS_MISMATCH;
        }
        data.put(key, new io.roastedroot.proxywasm.SharedData(value, nextCas++));
        return WasmResult.OK;
      }
    }
  }

  /** A request's first line and headers, as the filter sees them. */
  public record RequestHead(
      String method,
      String path,
      String authority,
      String scheme,
      List<Map.Entry<String, String>> headers,
      String remoteAddress,
      int remotePort,
      int localPort) {}

  /** What the filter decided for a request. */
  public sealed interface Decision permits Proceed, Respond, Paused {}

  /** Forward the request upstream. */
  public record Proceed() implements Decision {}

  /** Answer locally (an injected abort): status, headers, body; {@code grpcStatus} -1 = none. */
  public record Respond(
      int status, List<Map.Entry<String, String>> headers, byte[] body, int grpcStatus)
      implements Decision {}

  /**
   * The filter paused the request (a delay); it resumes later with a {@link Proceed}/{@link
   * Respond}.
   */
  public static final class Paused implements Decision {
    private final WasmFilterHost host;
    private final PluginHttpContext ctx;
    private Consumer<Decision> listener;
    private Decision outcome;

    private Paused(WasmFilterHost host, PluginHttpContext ctx) {
      this.host = host;
      this.ctx = ctx;
    }

    /** Called once, on a host thread, with the final decision (at once if it is known already). */
    public void whenResumed(Consumer<Decision> listener) {
      Decision known;
      synchronized (this) {
        known = outcome;
        if (known == null) {
          this.listener = listener;
        }
      }
      if (known != null) {
        listener.accept(known);
      }
    }

    /** The client went away: ends the stream in the filter (it forgets the delay). */
    public void abandon() {
      host.abandon(this);
    }

    private void complete(Decision decision) {
      Consumer<Decision> l;
      synchronized (this) {
        outcome = decision;
        l = listener;
      }
      if (l != null) {
        l.accept(decision);
      }
    }
  }

  private final Plugin plugin;
  private final FilterMetrics metrics = new FilterMetrics();
  private final ScheduledExecutorService scheduler;
  private final Executor callbacks;
  private final HttpClient http;
  private final Map<Integer, Paused> paused = new LinkedHashMap<>();
  private final long createNanos;
  private volatile boolean closed;

  /** The VM trapped: like Envoy with {@code failure_policy: FAIL_OPEN}, requests bypass it. */
  private volatile boolean failed;

  private volatile String instance;

  /**
   * Creates the VM (on_vm_start, on_configure); {@link #startPolling()} starts its long polls.
   *
   * @param pluginConfig the filter's JSON plugin configuration, with {@code deferStart: true}
   * @param cluster the cluster name in the configuration, mapped to {@code controlPlane}
   * @param scheduler runs ticks (the filter's delays and retries)
   * @param callbacks delivers http-call answers into the VM
   * @param http sends the filter's http calls
   * @param wasm another build of the filter, run by the interpreter; null for the shipped filter,
   *     compiled at build time
   */
  public WasmFilterHost(
      String pluginConfig,
      String cluster,
      URI controlPlane,
      SharedData shared,
      ScheduledExecutorService scheduler,
      Executor callbacks,
      HttpClient http,
      byte[] wasm)
      throws Exception {
    this.scheduler = scheduler;
    this.callbacks = callbacks;
    this.http = http;
    long start = System.nanoTime();
    PluginFactory.Builder factory =
        wasm == null
            ? PluginFactory.builder(Module.MODULE).withMachineFactory(CompiledHfiFilter::create)
            : PluginFactory.builder(Parser.parse(wasm));
    plugin =
        (Plugin)
            factory
                .withPluginConfig(pluginConfig)
                .withUpstreams(Map.of(cluster, controlPlane))
                .withStrictUpstreams(true)
                .withSharedDataHandler(shared.handler)
                .withMetricsHandler(metrics)
                .withLogger(new Slf4jLogs())
                .build()
                .create();
    plugin.setServerAdaptor(new Adaptor());
    createNanos = System.nanoTime() - start;
  }

  /**
   * Starts the filter's long polls (deferStart: its first HTTP context does, now that the adaptor
   * exists). Called once the listener serves, so that an ACK means the data plane is reachable.
   */
  public void startPolling() {
    plugin.lock();
    try {
      plugin.createHttpContext(new RequestAdaptor(emptyHead())).context().close();
    } finally {
      plugin.unlock();
    }
  }

  /** Nanoseconds the JVM spent parsing the module's metadata (once per JVM). */
  public static long moduleLoadNanos() {
    return Module.LOAD_NANOS;
  }

  /** Nanoseconds this VM took to instantiate, configure and start polling. */
  public long createNanos() {
    return createNanos;
  }

  /**
   * The instance id the filter reports to the control plane (it makes one up at random, per VM),
   * read from its first long poll; null before that.
   */
  public String instance() {
    return instance;
  }

  /** The filter's counters and gauges, by metric name. */
  public FilterMetrics metrics() {
    return metrics;
  }

  /** Runs the filter's {@code on_request_headers} for one request. */
  public Decision onRequestHeaders(RequestHead head) {
    plugin.lock();
    try {
      if (closed || failed) {
        return new Proceed();
      }
      PluginHttpContext ctx = plugin.createHttpContext(new RequestAdaptor(head));
      Action action;
      try {
        action = ctx.context().callOnRequestHeaders(false);
      } catch (RuntimeException trap) {
        // The filter catches its own exceptions; what reaches here is the VM failing (a trap):
        // its state is lost, so it is bypassed from now on, as Envoy's FAIL_OPEN does.
        failed = true;
        LOG.error(
            "hfi-filter.wasm failed ({}); requests now bypass the filter (fail open)",
            trap.toString());
        return new Proceed();
      }
      Decision decision = decided(ctx, action);
      if (decision != null) {
        ctx.context().close();
        return decision;
      }
      Paused p = new Paused(this, ctx);
      paused.put(ctx.context().id(), p);
      return p;
    } finally {
      plugin.unlock();
    }
  }

  @Override
  public void close() {
    List<Paused> released;
    plugin.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      released = new ArrayList<>(paused.values());
      paused.clear();
      plugin.close();
    } finally {
      plugin.unlock();
    }
    // Requests still delayed are let through rather than left hanging.
    released.forEach(p -> p.complete(new Proceed()));
  }

  private void abandon(Paused p) {
    plugin.lock();
    try {
      if (!closed && paused.remove(p.ctx.context().id()) != null) {
        p.ctx.context().close();
      }
    } finally {
      plugin.unlock();
    }
  }

  /** Null while the filter keeps the request paused. */
  private static Decision decided(PluginHttpContext ctx, Action action) {
    SendResponse response = ctx.getSendResponse();
    if (response != null) {
      List<Map.Entry<String, String>> headers = new ArrayList<>();
      if (response.headers() != null) {
        for (Map.Entry<String, String> e : response.headers().entries()) {
          headers.add(Map.entry(e.getKey(), e.getValue()));
        }
      }
      byte[] body = response.body() == null ? new byte[0] : response.body();
      return new Respond(response.statusCode(), headers, body, response.grpcStatus());
    }
    return action == Action.CONTINUE ? new Proceed() : null;
  }

  /** After a tick or http-call callback: hands back the requests the filter let go. */
  private void resumeReady() {
    List<Map.Entry<Paused, Decision>> ready = new ArrayList<>();
    plugin.lock();
    try {
      var it = paused.values().iterator();
      while (it.hasNext()) {
        Paused p = it.next();
        Decision d = decided(p.ctx, p.ctx.getAction());
        if (d != null) {
          it.remove();
          p.ctx.context().close();
          ready.add(Map.entry(p, d));
        }
      }
    } finally {
      plugin.unlock();
    }
    ready.forEach(e -> e.getKey().complete(e.getValue()));
  }

  private static RequestHead emptyHead() {
    return new RequestHead("GET", "/", "", "http", List.of(), "127.0.0.1", 0, 0);
  }

  private void deliver(Runnable callback) {
    try {
      callbacks.execute(
          () -> {
            if (!closed) {
              callback.run();
              resumeReady();
            }
          });
    } catch (RejectedExecutionException e) {
      // Shutting down: the VM is gone, nobody waits for this answer.
    }
  }

  private final class Adaptor implements ServerAdaptor {
    @Override
    public Runnable scheduleTick(long delay, Runnable task) {
      ScheduledFuture<?> f =
          scheduler.scheduleAtFixedRate(
              () -> {
                if (closed) {
                  return;
                }
                try {
                  task.run();
                  resumeReady();
                } catch (RuntimeException e) {
                  LOG.error("hfi filter tick failed", e);
                }
              },
              delay,
              delay,
              TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    }

    @Override
    public HttpRequestAdaptor httpRequestAdaptor(Object context) {
      throw new UnsupportedOperationException("the embedded data plane creates its own adaptors");
    }

    @Override
    public Runnable scheduleHttpCall(
        String method,
        String host,
        int port,
        URI uri,
        ProxyMap headers,
        byte[] body,
        ProxyMap trailers,
        int timeout,
        HttpCallResponseHandler handler) {
      String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      if (instance == null && uri.getRawQuery() != null) {
        instance = queryParameter(uri.getRawQuery(), "instance");
      }
      Request request =
          http.newRequest(host, port)
              .scheme(uri.getScheme())
              .method(method)
              .path(target)
              .timeout(timeout, TimeUnit.MILLISECONDS);
      for (Map.Entry<String, String> h : headers.entries()) {
        request.header(h.getKey(), h.getValue());
      }
      if (body != null && body.length > 0) {
        request.content(new BytesContentProvider(body));
      }
      // The answer always goes through the callback executor: the host registers the call only
      // after this method returns, and drops an answer that comes first.
      request.send(
          new BufferingResponseListener(MAX_CALL_RESPONSE_BYTES) {
            @Override
            public void onComplete(Result result) {
              if (result.isFailed()) {
                deliver(() -> handler.call(0, new ArrayProxyMap(), new byte[0]));
                return;
              }
              ArrayProxyMap answer = new ArrayProxyMap();
              int status = result.getResponse().getStatus();
              answer.add(":status", Integer.toString(status));
              for (HttpField f : result.getResponse().getHeaders()) {
                answer.add(f.getLowerCaseName(), f.getValue());
              }
              byte[] content = getContent();
              deliver(() -> handler.call(status, answer, content));
            }
          });
      return () -> request.abort(new CancellationException("the filter cancelled the call"));
    }
  }

  private static String queryParameter(String rawQuery, String name) {
    for (String pair : rawQuery.split("&")) {
      if (pair.startsWith(name + "=")) {
        return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The headers of one request, as proxy-wasm map pairs (pseudo headers first). */
  private static final class RequestAdaptor implements HttpRequestAdaptor {
    private final RequestHead head;
    private ProxyMap headers;

    RequestAdaptor(RequestHead head) {
      this.head = head;
    }

    @Override
    public String remoteAddress() {
      return head.remoteAddress();
    }

    @Override
    public int remotePort() {
      return head.remotePort();
    }

    @Override
    public String localAddress() {
      return "127.0.0.1";
    }

    @Override
    public int localPort() {
      return head.localPort();
    }

    @Override
    public String protocol() {
      return "HTTP/1.1";
    }

    @Override
    public ProxyMap getHttpRequestHeaders() {
      if (headers == null) {
        ArrayProxyMap map = new ArrayProxyMap(head.headers().size() + 4);
        map.add(":method", head.method());
        map.add(":path", head.path());
        map.add(":authority", head.authority());
        map.add(":scheme", head.scheme());
        for (Map.Entry<String, String> h : head.headers()) {
          map.add(h.getKey(), h.getValue());
        }
        headers = map;
      }
      return headers;
    }

    @Override
    public ProxyMap getHttpRequestTrailers() {
      return new ArrayProxyMap();
    }

    @Override
    public ProxyMap getHttpResponseHeaders() {
      return new ArrayProxyMap();
    }

    @Override
    public ProxyMap getHttpResponseTrailers() {
      return new ArrayProxyMap();
    }

    @Override
    public ProxyMap getGrpcReceiveInitialMetaData() {
      return new ArrayProxyMap();
    }

    @Override
    public ProxyMap getGrpcReceiveTrailerMetaData() {
      return new ArrayProxyMap();
    }

    @Override
    public byte[] getProperty(PluginHttpContext request, List<String> path) {
      return null;
    }

    @Override
    public WasmResult setProperty(PluginHttpContext request, List<String> path, byte[] value) {
      return WasmResult.NOT_FOUND;
    }
  }

  /** The filter's metrics, readable from Java by name at any time. */
  public static final class FilterMetrics implements MetricsHandler {
    private final List<String> names = new ArrayList<>();
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

    /** Value of a metric, 0 if the filter never defined it. */
    public long value(String name) {
      AtomicLong v = values.get(name);
      return v == null ? 0 : v.get();
    }

    /** Every metric by name. */
    public Map<String, Long> snapshot() {
      Map<String, Long> copy = new LinkedHashMap<>();
      values.forEach((k, v) -> copy.put(k, v.get()));
      return Collections.unmodifiableMap(copy);
    }

    @Override
    public synchronized int defineMetric(MetricType type, String name) {
      int id = names.indexOf(name);
      if (id < 0) {
        names.add(name);
        values.putIfAbsent(name, new AtomicLong());
        id = names.size() - 1;
      }
      return id;
    }

    @Override
    public WasmResult incrementMetric(int id, long value) {
      AtomicLong v = metric(id);
      if (v == null) {
        return WasmResult.NOT_FOUND;
      }
      v.addAndGet(value);
      return WasmResult.OK;
    }

    @Override
    public WasmResult recordMetric(int id, long value) {
      AtomicLong v = metric(id);
      if (v == null) {
        return WasmResult.NOT_FOUND;
      }
      v.set(value);
      return WasmResult.OK;
    }

    @Override
    public long getMetric(int id) throws WasmException {
      AtomicLong v = metric(id);
      if (v == null) {
        throw new WasmException(WasmResult.NOT_FOUND);
      }
      return v.get();
    }

    private synchronized AtomicLong metric(int id) {
      return id >= 0 && id < names.size() ? values.get(names.get(id)) : null;
    }
  }

  private static final class Slf4jLogs implements LogHandler {
    @Override
    public void log(LogLevel level, String message) {
      switch (level) {
        case TRACE -> LOG.trace(message);
        case DEBUG -> LOG.debug(message);
        case INFO -> LOG.info(message);
        case WARN -> LOG.warn(message);
        default -> LOG.error(message);
      }
    }

    @Override
    public LogLevel getLogLevel() {
      if (LOG.isTraceEnabled()) {
        return LogLevel.TRACE;
      }
      if (LOG.isDebugEnabled()) {
        return LogLevel.DEBUG;
      }
      return LOG.isInfoEnabled() ? LogLevel.INFO : LogLevel.WARN;
    }
  }
}
