package dev.hfi.wasmhost;

import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import dev.hfi.wasmhost.Decision.Paused;
import dev.hfi.wasmhost.Decision.Proceed;
import dev.hfi.wasmhost.Decision.Respond;
import dev.hfi.wasmhost.WasmHostException.Code;
import dev.hfi.wasmhost.internal.LogAdaptor;
import dev.hfi.wasmhost.internal.RequestAdaptor;
import dev.hfi.wasmhost.internal.SharedDataAdaptor;
import dev.hfi.wasmhost.internal.SystemFilterLog;
import io.roastedroot.proxywasm.PluginFactory;
import io.roastedroot.proxywasm.internal.Action;
import io.roastedroot.proxywasm.internal.ArrayProxyMap;
import io.roastedroot.proxywasm.internal.HttpCallResponseHandler;
import io.roastedroot.proxywasm.internal.HttpRequestAdaptor;
import io.roastedroot.proxywasm.internal.Plugin;
import io.roastedroot.proxywasm.internal.PluginHttpContext;
import io.roastedroot.proxywasm.internal.ProxyMap;
import io.roastedroot.proxywasm.internal.SendResponse;
import io.roastedroot.proxywasm.internal.ServerAdaptor;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One proxy-wasm VM: a filter module (ABI 0.2.1) in proxy-wasm-java-host on Chicory, driven
 * asynchronously, the way one proxy worker drives its VM. This module is the only code that uses
 * the host library's {@code io.roastedroot.proxywasm.internal} API, so a host upgrade changes it
 * alone.
 *
 * <p>What it adds to the host (docs/FILTER.md, "Host quirks"):
 *
 * <ul>
 *   <li>Paused requests hold no thread: the host's blocking {@code maybePause()} is never called.
 *       After every tick and http-call callback, the requests the filter continued or answered are
 *       handed back through their {@link Paused} decision.
 *   <li>A stream is ended (the filter's {@code on_done}, {@code on_log}, {@code on_delete}) with
 *       its own context active, as Envoy does for every callback: the host switches its active
 *       context only when it creates one or the filter asks, so a VM first makes the closing
 *       context active through the host's own {@code proxy_set_effective_context}. The host asserts
 *       this in {@code Context.finishClose()}; nothing here changes assertion settings.
 *   <li>Http calls go out through an {@link HttpCalls} transport; the answer's headers carry {@code
 *       :status} (the host drops the status otherwise), and answers always reach the filter from
 *       the callback executor (the host registers a call only after handing it out, and drops an
 *       answer that comes first).
 *   <li>A request that proceeds keeps its stream open in the filter until the proxy reports its
 *       response headers ({@link Proceed#responseHeaders}, the filter's {@code
 *       on_response_headers}) or that none will come ({@link Proceed#end}), as in Envoy.
 *   <li>A trap fails the VM open: this request and every later one {@link Proceed}, as Envoy does
 *       with {@code failure_policy: FAIL_OPEN}.
 * </ul>
 *
 * <p>Thread-safe: every call into the VM runs under the host plugin's lock, so one VM serialises
 * its requests, like one Envoy worker.
 *
 * <pre>{@code
 * try (FilterVm vm = FilterVm.builder()
 *     .withModule(CompiledHfiFilter.load(), CompiledHfiFilter::create)
 *     .withPluginConfig("{\"node\":\"orders\",\"deferStart\":true}")
 *     .withUpstream("hfi_control_plane", URI.create("http://127.0.0.1:8080"))
 *     .withScheduler(scheduler)
 *     .withHttpCalls(transport)
 *     .build()) {
 *   vm.startPolling();
 *   if (vm.onRequestHeaders(head) instanceof Decision.Paused paused) {
 *     paused.whenResumed(decision -> ...);
 *   }
 * }
 * }</pre>
 */
public final class FilterVm implements AutoCloseable {
  private static final Proceed PROCEED = new Proceed();

  private final ScheduledExecutorService scheduler;
  private final Executor callbacks;
  private final HttpCalls httpCalls;
  private final FilterLog log;
  private final FilterMetrics metrics = new FilterMetrics();
  private final Plugin plugin;
  private final Instance instance;

  /** The host function that switches the active context; null if the module never imports it. */
  private final ImportFunction setEffectiveContext;

  /** Paused streams by context id, in the order they paused. Guarded by the plugin's lock. */
  private final Map<Integer, Stream> paused = new LinkedHashMap<>();

  /**
   * Streams that proceeded upstream and wait for their response headers, by context id. Guarded by
   * the plugin's lock.
   */
  private final Map<Integer, PluginHttpContext> upstream = new HashMap<>();

  /** The root context's id, known once a stream was created. Guarded by the plugin's lock. */
  private int rootContextId = -1;

  private volatile boolean closed;

  /**
   * The answer to the filter's goodbye: the http call its root context makes from {@code on_done}
   * while {@link #close()} runs, to remove its instance from the control plane. Close waits for it
   * (at most {@link #GOODBYE_WAIT}), as Envoy waits for the filter's {@code proxy_done}.
   */
  private final CompletableFuture<Void> goodbye = new CompletableFuture<>();

  /** The filter's own goodbye call times out after 2 s; this bounds it from the host's side. */
  static final Duration GOODBYE_WAIT = Duration.ofSeconds(3);

  private volatile boolean goodbyeSent;

  /** The VM trapped: its state is lost, requests bypass it. */
  private volatile boolean failed;

  private record Stream(PluginHttpContext context, Paused decision) {}

  private FilterVm(Builder b) {
    scheduler = b.scheduler;
    callbacks = b.callbacks != null ? b.callbacks : b.scheduler;
    httpCalls = b.httpCalls != null ? b.httpCalls : FilterVm::unreachable;
    log = b.log != null ? b.log : new SystemFilterLog("dev.hfi.filter");
    AtomicReference<Instance> created = new AtomicReference<>();
    plugin =
        start(
            PluginFactory.builder(b.module)
                .withMachineFactory(
                    i -> {
                      created.set(i);
                      return b.machineFactory.apply(i);
                    })
                .withPluginConfig(b.pluginConfig)
                .withUpstreams(b.upstreams)
                .withStrictUpstreams(true)
                .withSharedDataHandler(
                    new SharedDataAdaptor(b.sharedData != null ? b.sharedData : SharedData.envoy()))
                .withMetricsHandler(metrics.handler())
                .withLogger(new LogAdaptor(log)));
    instance = created.get();
    setEffectiveContext = hostFunction(instance, "proxy_set_effective_context");
    plugin.setServerAdaptor(new Adaptor());
  }

  /** A builder; {@link Builder#withModule} and {@link Builder#withScheduler} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs one empty HTTP context through the filter: a filter configured with {@code deferStart}
   * (which cannot set a timer or call out from {@code on_configure} in this host) starts its long
   * polls then. Call it once the proxy serves, so that an ACK means the proxy is reachable.
   */
  public void startPolling() {
    plugin.lock();
    try {
      if (!closed) {
        end(newStream(RequestHead.empty()));
      }
    } finally {
      plugin.unlock();
    }
  }

  /** Runs the filter's {@code on_request_headers} for one request. */
  public Decision onRequestHeaders(RequestHead head) {
    plugin.lock();
    try {
      if (closed || failed) {
        return PROCEED;
      }
      PluginHttpContext stream = newStream(head);
      Action action;
      try {
        action = stream.context().callOnRequestHeaders(false);
      } catch (RuntimeException trap) {
        // The filter catches its own exceptions; what reaches here is the VM failing (a trap).
        failed = true;
        log.log(
            FilterLog.Level.ERROR,
            "the filter failed (" + trap + "); requests now bypass it (fail open)");
        return PROCEED;
      }
      Decision decision = decided(stream, action);
      if (decision == PROCEED) {
        return proceed(stream);
      }
      if (decision != null) {
        end(stream);
        return decision;
      }
      int id = stream.context().id();
      Paused p = new Paused(() -> abandon(id));
      paused.put(id, new Stream(stream, p));
      return p;
    } finally {
      plugin.unlock();
    }
  }

  /** The filter's counters and gauges. */
  public FilterMetrics metrics() {
    return metrics;
  }

  /** Size of the VM's linear memory in bytes. */
  public long memoryBytes() {
    plugin.lock();
    try {
      return instance.memory().pages() * 65536L;
    } finally {
      plugin.unlock();
    }
  }

  /**
   * Stops the VM: its tick and polls end, the root context's {@code on_done} runs and the goodbye
   * it sends is answered (at most {@link #GOODBYE_WAIT}). Requests still paused {@link Proceed}
   * rather than hang. The scheduler and executors stay the caller's and must run until this
   * returns.
   */
  @Override
  public void close() {
    List<Paused> released = new ArrayList<>();
    plugin.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      paused.values().forEach(s -> released.add(s.decision()));
      paused.clear();
      upstream.clear();
      if (rootContextId >= 0) {
        activate(rootContextId);
      }
      plugin.close();
    } catch (RuntimeException e) {
      log.log(FilterLog.Level.WARN, "closing the filter failed: " + e);
    } finally {
      plugin.unlock();
    }
    released.forEach(p -> p.complete(PROCEED));
    if (goodbyeSent) {
      try {
        goodbye.get(GOODBYE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        log.log(FilterLog.Level.WARN, "the filter's goodbye got no answer within " + GOODBYE_WAIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * A stream the filter let go upstream: kept open for its response headers when the filter handles
   * them, else ended now. Called under the plugin's lock.
   */
  private Proceed proceed(PluginHttpContext stream) {
    if (!stream.context().hasOnResponseHeaders()) {
      end(stream);
      return PROCEED;
    }
    int id = stream.context().id();
    upstream.put(id, stream);
    return new Proceed(
        new Proceed.Stream() {
          @Override
          public void responseHeaders(int status, List<Map.Entry<String, String>> headers) {
            onResponseHeaders(id, status, headers);
          }

          @Override
          public void end() {
            abandon(id);
          }
        });
  }

  private void onResponseHeaders(int id, int status, List<Map.Entry<String, String>> headers) {
    plugin.lock();
    try {
      PluginHttpContext stream = closed ? null : upstream.remove(id);
      if (stream == null) {
        return;
      }
      if (!failed) {
        ((RequestAdaptor) stream.requestAdaptor()).responseHeaders(status, headers);
        activate(id);
        try {
          stream.context().callOnResponseHeaders(false);
        } catch (RuntimeException trap) {
          failed = true;
          log.log(
              FilterLog.Level.ERROR,
              "the filter failed (" + trap + "); requests now bypass it (fail open)");
          return;
        }
      }
      end(stream);
    } finally {
      plugin.unlock();
    }
  }

  private PluginHttpContext newStream(RequestHead head) {
    PluginHttpContext stream = plugin.createHttpContext(new RequestAdaptor(head));
    rootContextId = stream.context().getProxyWasm().contextId();
    return stream;
  }

  /** Ends a stream in the filter, with its context the active one (see the class comment). */
  private void end(PluginHttpContext stream) {
    activate(stream.context().id());
    stream.context().close();
  }

  /**
   * Makes {@code contextId} the host's active context, with the host function the filter itself
   * calls to do so. A module that does not import it never switches contexts itself; the host's
   * bookkeeping is left as it is for it.
   */
  private void activate(int contextId) {
    if (setEffectiveContext != null) {
      setEffectiveContext.handle().apply(instance, contextId);
    }
  }

  private void abandon(int contextId) {
    plugin.lock();
    try {
      Stream s = closed ? null : paused.remove(contextId);
      PluginHttpContext proceeded = closed ? null : upstream.remove(contextId);
      if (s != null) {
        end(s.context());
      } else if (proceeded != null && !failed) {
        end(proceeded);
      }
    } finally {
      plugin.unlock();
    }
  }

  /** After a tick or http-call callback: hands back the requests the filter let go. */
  private void resumeReady() {
    List<Map.Entry<Paused, Decision>> ready = new ArrayList<>();
    plugin.lock();
    try {
      Iterator<Stream> it = paused.values().iterator();
      while (it.hasNext()) {
        Stream s = it.next();
        Decision d = decided(s.context(), s.context().getAction());
        if (d == PROCEED) {
          it.remove();
          ready.add(Map.entry(s.decision(), proceed(s.context())));
        } else if (d != null) {
          it.remove();
          end(s.context());
          ready.add(Map.entry(s.decision(), d));
        }
      }
    } finally {
      plugin.unlock();
    }
    ready.forEach(e -> e.getKey().complete(e.getValue()));
  }

  /** Null while the filter keeps the request paused. */
  private static Decision decided(PluginHttpContext stream, Action action) {
    SendResponse response = stream.getSendResponse();
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
    return action == Action.CONTINUE ? PROCEED : null;
  }

  /**
   * A host callback into the filter (a tick, an http-call answer) as the VM runs it: not once the
   * VM closed, then handing back the requests the filter let go; a failure is logged.
   */
  private Runnable callback(String what, Runnable hostCallback) {
    return () -> {
      if (closed) {
        return;
      }
      try {
        hostCallback.run();
        resumeReady();
      } catch (RuntimeException e) {
        log.log(FilterLog.Level.ERROR, "the filter's " + what + " failed: " + e);
      }
    };
  }

  /** The goodbye's answer, delivered although the VM is closed; then close may return. */
  private Runnable farewell(Runnable deliver) {
    return () -> {
      try {
        deliver.run();
      } catch (RuntimeException e) {
        log.log(FilterLog.Level.WARN, "the filter's goodbye answer failed: " + e);
      } finally {
        goodbye.complete(null);
      }
    };
  }

  private static ImportFunction hostFunction(Instance instance, String name) {
    for (ImportFunction f : instance.imports().functions()) {
      if (f.module().equals("env") && f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static Plugin start(PluginFactory.Builder factory) {
    try {
      return (Plugin) factory.build().create();
    } catch (Exception e) {
      throw new WasmHostException(Code.START_FAILED, "the filter did not start: " + e, e);
    }
  }

  private static Runnable unreachable(HttpCalls.Call call, Consumer<HttpCalls.Answer> answer) {
    answer.accept(HttpCalls.Answer.failed());
    return () -> {};
  }

  private final class Adaptor implements ServerAdaptor {
    @Override
    public Runnable scheduleTick(long delay, Runnable task) {
      ScheduledFuture<?> f =
          scheduler.scheduleAtFixedRate(
              callback("tick", task), delay, delay, TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    }

    @Override
    public HttpRequestAdaptor httpRequestAdaptor(Object context) {
      throw new UnsupportedOperationException("FilterVm creates the request adaptors itself");
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
      List<Map.Entry<String, String>> sent = new ArrayList<>();
      for (Map.Entry<String, String> h : headers.entries()) {
        sent.add(Map.entry(h.getKey(), h.getValue()));
      }
      HttpCalls.Call call =
          new HttpCalls.Call(
              method,
              host,
              port,
              uri,
              List.copyOf(sent),
              body == null ? new byte[0] : body,
              Duration.ofMillis(timeout));
      // A call made once closed is the root context's goodbye, answered despite the close.
      boolean isGoodbye = closed;
      goodbyeSent |= isGoodbye;
      Runnable cancel =
          httpCalls.send(
              call,
              answer -> {
                ArrayProxyMap got = new ArrayProxyMap();
                if (answer.status() > 0) {
                  got.add(":status", Integer.toString(answer.status()));
                }
                for (Map.Entry<String, String> h : answer.headers()) {
                  got.add(h.getKey(), h.getValue());
                }
                Runnable deliver = () -> handler.call(answer.status(), got, answer.body());
                try {
                  callbacks.execute(
                      isGoodbye ? farewell(deliver) : callback("http-call answer", deliver));
                } catch (RejectedExecutionException e) {
                  // Shutting down: the VM is gone, nobody waits for this answer.
                }
              });
      // The host cancels every pending call right after the root's on_done, which would abort
      // the goodbye on its way out: it ends by its own timeout instead (2 s, and GOODBYE_WAIT).
      return isGoodbye ? () -> {} : cancel;
    }
  }

  /**
   * Configures a {@link FilterVm}. Not thread-safe; {@link #build()} checks every setting at once
   * and names what to fix.
   */
  public static final class Builder {
    private final List<String> problems = new ArrayList<>();
    private WasmModule module;
    private Function<Instance, Machine> machineFactory;
    private String pluginConfig = "";
    private final Map<String, URI> upstreams = new LinkedHashMap<>();
    private SharedData sharedData;
    private ScheduledExecutorService scheduler;
    private Executor callbacks;
    private HttpCalls httpCalls;
    private FilterLog log;

    private Builder() {}

    /** The module to run, in Chicory's interpreter. */
    public Builder withModule(WasmModule module) {
      return withModule(module, InterpreterMachine::new);
    }

    /**
     * The module to run and the machine that runs it, e.g. {@code CompiledHfiFilter.load()} with
     * {@code CompiledHfiFilter::create} (build-time compiled) or Chicory's {@code
     * MachineFactoryCompiler.compile(module)}.
     */
    public Builder withModule(WasmModule module, Function<Instance, Machine> machineFactory) {
      this.module = module;
      this.machineFactory = machineFactory;
      return this;
    }

    /** The filter's plugin configuration; default empty. */
    public Builder withPluginConfig(String pluginConfig) {
      this.pluginConfig = pluginConfig;
      return this;
    }

    /**
     * Where the filter's http calls to {@code cluster} go (scheme, host, port). A call to a cluster
     * not named here fails, as a call to an unknown cluster does in Envoy.
     */
    public Builder withUpstream(String cluster, URI address) {
      if (cluster == null || address == null || address.getHost() == null) {
        problems.add(
            "withUpstream("
                + cluster
                + ", "
                + address
                + "): needs a cluster name and an absolute URI with a host, e.g."
                + " withUpstream(\"hfi_control_plane\", URI.create(\"http://127.0.0.1:8080\"))");
      } else {
        upstreams.put(cluster, address);
      }
      return this;
    }

    /** The proxy's shared data, shared with its other VMs; default this VM's own, as in Envoy. */
    public Builder withSharedData(SharedData sharedData) {
      this.sharedData = sharedData;
      return this;
    }

    /** Runs the filter's ticks (its delays and retries), and by default delivers http answers. */
    public Builder withScheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /**
     * Delivers http-call answers into the VM; default the scheduler. The host drops an answer that
     * arrives while the filter is still making its call, so a direct executor ({@code
     * Runnable::run}) fits only a transport that never answers from inside {@link HttpCalls#send}.
     */
    public Builder withCallbackExecutor(Executor callbacks) {
      this.callbacks = callbacks;
      return this;
    }

    /** Sends the filter's http calls; by default every call fails at once, as if unreachable. */
    public Builder withHttpCalls(HttpCalls httpCalls) {
      this.httpCalls = httpCalls;
      return this;
    }

    /** Where the filter's log goes; default the platform logger {@code dev.hfi.filter}. */
    public Builder withLog(FilterLog log) {
      this.log = log;
      return this;
    }

    /**
     * Instantiates the module and runs its {@code on_vm_start} and {@code on_configure}.
     *
     * @throws WasmHostException {@code INVALID_CONFIGURATION} naming every missing or invalid
     *     setting; {@code START_FAILED} when the module cannot be instantiated or refuses to start
     */
    public FilterVm build() {
      List<String> all = new ArrayList<>(problems);
      if (module == null || machineFactory == null) {
        all.add(
            "withModule(...) is required: the proxy-wasm module to run, e.g."
                + " withModule(CompiledHfiFilter.load(), CompiledHfiFilter::create)");
      }
      if (scheduler == null) {
        all.add("withScheduler(...) is required: it runs the filter's ticks");
      }
      if (pluginConfig == null) {
        all.add("withPluginConfig(null): pass \"\" for the filter's defaults");
      }
      if (!all.isEmpty()) {
        throw new WasmHostException(Code.INVALID_CONFIGURATION, String.join("; ", all), null);
      }
      return new FilterVm(this);
    }
  }
}
