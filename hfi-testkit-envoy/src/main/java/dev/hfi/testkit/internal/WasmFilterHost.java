package dev.hfi.testkit.internal;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.hfi.filter.CompiledHfiFilter;
import dev.hfi.wasmhost.Decision;
import dev.hfi.wasmhost.FilterLog;
import dev.hfi.wasmhost.FilterMetrics;
import dev.hfi.wasmhost.FilterVm;
import dev.hfi.wasmhost.HttpCalls;
import dev.hfi.wasmhost.RequestHead;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * One {@code hfi-filter.wasm} VM of the embedded data plane: a {@link FilterVm} (hfi-wasm-host, the
 * one proxy-wasm host adaptor, shared with the filter's own tests) running the filter compiled at
 * build time, its http calls sent on Jetty's asynchronous client with their timeout, its log in
 * SLF4J ({@code dev.hfi.filter}).
 *
 * <p>Thread-safe, as {@link FilterVm}: one VM serialises its requests, like one Envoy worker.
 */
public final class WasmFilterHost implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("dev.hfi.filter");
  private static final int MAX_CALL_RESPONSE_BYTES = 64 * 1024 * 1024;

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
    private final dev.hfi.wasmhost.SharedData data = dev.hfi.wasmhost.SharedData.envoy();
  }

  private final FilterVm vm;
  private final long createNanos;

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
   * @param journal takes the filter's request journal lines ({@link JournalLines#PREFIX}), on the
   *     VM's thread as the filter writes them
   * @throws dev.hfi.wasmhost.WasmHostException when the module does not start
   */
  public WasmFilterHost(
      String pluginConfig,
      String cluster,
      URI controlPlane,
      SharedData shared,
      ScheduledExecutorService scheduler,
      Executor callbacks,
      HttpClient http,
      byte[] wasm,
      Consumer<String> journal) {
    long start = System.nanoTime();
    FilterVm.Builder builder =
        wasm == null
            ? FilterVm.builder().withModule(Module.MODULE, CompiledHfiFilter::create)
            : FilterVm.builder().withModule(Parser.parse(wasm));
    vm =
        builder
            .withPluginConfig(pluginConfig)
            .withUpstream(cluster, controlPlane)
            .withSharedData(shared.data)
            .withScheduler(scheduler)
            .withCallbackExecutor(callbacks)
            .withHttpCalls(new JettyCalls(http))
            .withLog(new Slf4jLog(journal))
            .build();
    createNanos = System.nanoTime() - start;
  }

  /**
   * Starts the filter's long polls (deferStart: its first HTTP context does). Called once the
   * listener serves, so that an ACK means the data plane is reachable.
   */
  public void startPolling() {
    vm.startPolling();
  }

  /**
   * Parses the built-in filter now, on a background thread, so that a data plane started later
   * finds it ready (the JUnit stack does it while its control plane starts). Idempotent.
   */
  public static void preloadInBackground() {
    Thread t = new Thread(() -> moduleLoadNanos(), "hfi-filter-preload");
    t.setDaemon(true);
    t.start();
  }

  /** Nanoseconds the JVM spent parsing the module's metadata (once per JVM). */
  public static long moduleLoadNanos() {
    return Module.LOAD_NANOS;
  }

  /** Nanoseconds this VM took to instantiate and configure. */
  public long createNanos() {
    return createNanos;
  }

  /** The filter's counters and gauges, by metric name. */
  public FilterMetrics metrics() {
    return vm.metrics();
  }

  /** Runs the filter's {@code on_request_headers} for one request. */
  public Decision onRequestHeaders(RequestHead head) {
    return vm.onRequestHeaders(head);
  }

  /** Stops the VM; requests it still delays are let through rather than left hanging. */
  @Override
  public void close() {
    vm.close();
  }

  /** The filter's http calls on Jetty's asynchronous client, with the call's timeout. */
  private final class JettyCalls implements HttpCalls {
    private final HttpClient http;

    JettyCalls(HttpClient http) {
      this.http = http;
    }

    @Override
    public Runnable send(Call call, Consumer<Answer> answer) {
      URI uri = call.uri();
      Request request =
          http.newRequest(call.host(), call.port())
              .scheme(uri.getScheme())
              .method(call.method())
              .path(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
              .timeout(call.timeout().toMillis(), TimeUnit.MILLISECONDS);
      for (Map.Entry<String, String> h : call.headers()) {
        request.header(h.getKey(), h.getValue());
      }
      if (call.body().length > 0) {
        request.content(new BytesContentProvider(call.body()));
      }
      request.send(
          new BufferingResponseListener(MAX_CALL_RESPONSE_BYTES) {
            @Override
            public void onComplete(Result result) {
              if (result.isFailed()) {
                answer.accept(Answer.failed());
                return;
              }
              List<Map.Entry<String, String>> headers = new ArrayList<>();
              for (HttpField f : result.getResponse().getHeaders()) {
                headers.add(Map.entry(f.getLowerCaseName(), f.getValue()));
              }
              answer.accept(new Answer(result.getResponse().getStatus(), headers, getContent()));
            }
          });
      return () -> request.abort(new CancellationException("the filter cancelled the call"));
    }
  }

  private static final class Slf4jLog implements FilterLog {
    private final Consumer<String> journal;

    Slf4jLog(Consumer<String> journal) {
      this.journal = journal;
    }

    @Override
    public Level level() {
      if (LOG.isTraceEnabled()) {
        return Level.TRACE;
      }
      if (LOG.isDebugEnabled()) {
        return Level.DEBUG;
      }
      return LOG.isInfoEnabled() ? Level.INFO : Level.WARN;
    }

    @Override
    public void log(Level level, String message) {
      if (message.startsWith(JournalLines.PREFIX)) {
        journal.accept(message);
        LOG.debug(message);
        return;
      }
      switch (level) {
        case TRACE -> LOG.trace(message);
        case DEBUG -> LOG.debug(message);
        case INFO -> LOG.info(message);
        case WARN -> LOG.warn(message);
        default -> LOG.error(message);
      }
    }
  }
}
