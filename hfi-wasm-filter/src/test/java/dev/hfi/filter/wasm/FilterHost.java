package dev.hfi.filter.wasm;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.wasm.Parser;
import dev.hfi.filter.CompiledHfiFilter;
import dev.hfi.filter.HfiFilterWasm;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives the built hfi-filter.wasm in proxy-wasm-java-host the way a proxy does: a real tick timer,
 * http calls handed to the test (which answers them as the control plane would), requests run
 * through the HTTP context with the host's own pause/resume. One instance = one filter VM.
 */
final class FilterHost implements AutoCloseable {
  /** Which Chicory engine runs the module. */
  enum Engine {
    INTERPRETER,
    BUILD_TIME_COMPILED
  }

  final BlockingQueue<PollCall> calls = new LinkedBlockingQueue<>();
  final List<Integer> tickPeriods = Collections.synchronizedList(new ArrayList<>());

  /** Ticks scheduled and not cancelled: 0 means the filter has switched its tick off. */
  final AtomicInteger activeTicks = new AtomicInteger();

  final List<String> logs = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, AtomicLong> metrics = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final Plugin plugin;

  /** The Wasm instance, when the engine was chosen here (for its memory size). */
  private final AtomicReference<Instance> instance;

  FilterHost(String pluginConfig, SharedDataHandler shared, Engine engine) throws Exception {
    this(new AtomicReference<>(), pluginConfig, shared, engine);
  }

  private FilterHost(
      AtomicReference<Instance> instance,
      String pluginConfig,
      SharedDataHandler shared,
      Engine engine)
      throws Exception {
    this(
        engine == Engine.BUILD_TIME_COMPILED
            ? PluginFactory.builder(CompiledHfiFilter.load())
                .withMachineFactory(
                    i -> {
                      instance.set(i);
                      return CompiledHfiFilter.create(i);
                    })
            : PluginFactory.builder(Parser.parse(HfiFilterWasm.bytes()))
                .withMachineFactory(
                    i -> {
                      instance.set(i);
                      return new InterpreterMachine(i);
                    }),
        pluginConfig,
        shared,
        instance);
  }

  /** Runs any module (the benchmark's empty filter too) from a prepared factory builder. */
  FilterHost(PluginFactory.Builder builder, String pluginConfig, SharedDataHandler shared)
      throws Exception {
    this(builder, pluginConfig, shared, new AtomicReference<>());
  }

  private FilterHost(
      PluginFactory.Builder builder,
      String pluginConfig,
      SharedDataHandler shared,
      AtomicReference<Instance> instance)
      throws Exception {
    this.instance = instance;
    plugin =
        (Plugin)
            builder
                .withPluginConfig(pluginConfig)
                .withLogger(new Logs())
                .withMetricsHandler(new Metrics())
                .withSharedDataHandler(shared)
                .build()
                .create();
    plugin.setServerAdaptor(new Adaptor());
    // The filter was configured with deferStart: creating a context starts its polling now that
    // the server adaptor exists (what the embedded data plane does after installing its adaptor).
    plugin.lock();
    try {
      plugin.createHttpContext(new Request(new ArrayProxyMap())).context().close();
    } finally {
      plugin.unlock();
    }
  }

  /** The value of a metric the filter defined, or -1 if it never defined it. */
  long metric(String name) {
    AtomicLong v = metrics.get(name);
    return v == null ? -1 : v.get();
  }

  /** Size of the VM's linear memory in bytes. */
  long memoryBytes() {
    plugin.lock();
    try {
      return instance.get().memory().pages() * 65536L;
    } finally {
      plugin.unlock();
    }
  }

  PollCall nextCall() throws InterruptedException {
    PollCall call = calls.poll(10, TimeUnit.SECONDS);
    if (call == null) {
      throw new AssertionError("the filter made no poll within 10 s; log: " + logs);
    }
    return call;
  }

  /** Answers polls until one reports {@code version} as applied; returns that call, unanswered. */
  PollCall awaitAck(long version) throws InterruptedException {
    while (true) {
      PollCall call = nextCall();
      if (call.query("version").equals(Long.toString(version))) {
        return call;
      }
    }
  }

  /** Sends a request with the given header pairs through the filter, waiting while it is paused. */
  Result request(String... pairs) {
    ArrayProxyMap headers = new ArrayProxyMap();
    for (int i = 0; i < pairs.length; i += 2) {
      headers.add(pairs[i], pairs[i + 1]);
    }
    plugin.lock();
    try {
      long start = System.nanoTime();
      PluginHttpContext ctx = plugin.createHttpContext(new Request(headers));
      Action action = ctx.context().callOnRequestHeaders(false);
      if (action == Action.PAUSE) {
        ctx.maybePause();
      }
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      SendResponse response = ctx.getSendResponse();
      ctx.context().close();
      return new Result(action, response, elapsedMs);
    } finally {
      plugin.unlock();
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    plugin.close();
  }

  /** What the filter did with one request. */
  static final class Result {
    final Action action;
    final SendResponse response;
    final long elapsedMs;

    Result(Action action, SendResponse response, long elapsedMs) {
      this.action = action;
      this.response = response;
      this.elapsedMs = elapsedMs;
    }

    boolean passed() {
      return response == null;
    }

    String header(String name) {
      return response.headers().get(name);
    }

    String body() {
      return new String(response.body(), StandardCharsets.UTF_8);
    }
  }

  /** One http call of the filter, to be answered by the test. */
  static final class PollCall {
    final String cluster;
    final URI uri;
    final ProxyMap headers;
    private final HttpCallResponseHandler handler;

    PollCall(String cluster, URI uri, ProxyMap headers, HttpCallResponseHandler handler) {
      this.cluster = cluster;
      this.uri = uri;
      this.headers = headers;
      this.handler = handler;
    }

    /** A query parameter of the poll ("" when absent). */
    String query(String name) {
      Map<String, String> q = new LinkedHashMap<>();
      for (String part : uri.getRawQuery().split("&")) {
        int eq = part.indexOf('=');
        q.put(
            part.substring(0, eq),
            URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
      }
      return q.getOrDefault(name, "");
    }

    /** Answers with one SSE event carrying {@code ruleSetJson}. */
    void ruleSet(long id, String ruleSetJson) {
      respond(200, "id: " + id + "\nevent: ruleset\ndata: " + ruleSetJson + "\n\n");
    }

    void notModified() {
      respond(304, "");
    }

    void respond(int status, String body) {
      ArrayProxyMap h = new ArrayProxyMap();
      h.add(":status", Integer.toString(status));
      h.add("content-type", "text/event-stream");
      handler.call(status, h, body.getBytes(StandardCharsets.UTF_8));
    }

    /** The call failed without a response (connection refused, timeout): no headers at all. */
    void fail() {
      handler.call(0, new ArrayProxyMap(), new byte[0]);
    }
  }

  private final class Adaptor implements ServerAdaptor {
    @Override
    public Runnable scheduleTick(long delay, Runnable task) {
      tickPeriods.add((int) delay);
      activeTicks.incrementAndGet();
      ScheduledFuture<?> f =
          scheduler.scheduleAtFixedRate(task, delay, delay, TimeUnit.MILLISECONDS);
      return () -> {
        f.cancel(false);
        activeTicks.decrementAndGet();
      };
    }

    @Override
    public HttpRequestAdaptor httpRequestAdaptor(Object context) {
      throw new UnsupportedOperationException("not used by these tests");
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
      calls.add(new PollCall(host, uri, new ArrayProxyMap(headers), handler));
      return () -> {};
    }
  }

  private final class Logs implements LogHandler {
    @Override
    public void log(LogLevel level, String message) {
      logs.add(level + " " + message);
    }

    @Override
    public LogLevel getLogLevel() {
      return LogLevel.TRACE;
    }
  }

  private final class Metrics implements MetricsHandler {
    private final List<String> names = Collections.synchronizedList(new ArrayList<>());

    @Override
    public int defineMetric(MetricType type, String name) {
      synchronized (names) {
        int id = names.indexOf(name);
        if (id < 0) {
          names.add(name);
          metrics.put(name, new AtomicLong());
          id = names.size() - 1;
        }
        return id;
      }
    }

    @Override
    public WasmResult incrementMetric(int id, long value) {
      metrics.get(names.get(id)).addAndGet(value);
      return WasmResult.OK;
    }

    @Override
    public WasmResult recordMetric(int id, long value) {
      metrics.get(names.get(id)).set(value);
      return WasmResult.OK;
    }

    @Override
    public long getMetric(int id) throws WasmException {
      return metrics.get(names.get(id)).get();
    }
  }

  private static final class Request implements HttpRequestAdaptor {
    private final ProxyMap headers;

    Request(ProxyMap headers) {
      this.headers = headers;
    }

    @Override
    public String remoteAddress() {
      return "127.0.0.1";
    }

    @Override
    public int remotePort() {
      return 40000;
    }

    @Override
    public String localAddress() {
      return "127.0.0.1";
    }

    @Override
    public int localPort() {
      return 18000;
    }

    @Override
    public String protocol() {
      return "HTTP/1.1";
    }

    @Override
    public ProxyMap getHttpRequestHeaders() {
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
}
