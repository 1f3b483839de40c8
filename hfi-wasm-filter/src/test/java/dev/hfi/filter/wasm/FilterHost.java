package dev.hfi.filter.wasm;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.hfi.filter.CompiledHfiFilter;
import dev.hfi.filter.HfiFilterWasm;
import dev.hfi.wasmhost.Decision;
import dev.hfi.wasmhost.Decision.Paused;
import dev.hfi.wasmhost.Decision.Proceed;
import dev.hfi.wasmhost.Decision.Respond;
import dev.hfi.wasmhost.FilterLog;
import dev.hfi.wasmhost.FilterVm;
import dev.hfi.wasmhost.HttpCalls;
import dev.hfi.wasmhost.RequestHead;
import dev.hfi.wasmhost.SharedData;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The built hfi-filter.wasm in the same host adaptor as the embedded data plane ({@link FilterVm}),
 * driven the way a proxy does: a real tick timer, http calls handed to the test (which answers them
 * as the control plane would), requests run through the HTTP context and waited for while paused.
 * One instance = one filter VM.
 */
final class FilterHost implements AutoCloseable {
  /** Which Chicory engine runs the module. */
  enum Engine {
    INTERPRETER,
    BUILD_TIME_COMPILED
  }

  /** The cluster of {@link FilterAbortIT#CONFIG}. */
  private static final String CLUSTER = "cp";

  final BlockingQueue<PollCall> calls = new LinkedBlockingQueue<>();
  final List<String> logs = Collections.synchronizedList(new ArrayList<>());
  private final Ticks ticks = new Ticks();
  private final FilterVm vm;

  FilterHost(String pluginConfig, Engine engine) {
    this(pluginConfig, SharedData.envoy(), engine);
  }

  FilterHost(String pluginConfig, SharedData shared, Engine engine) {
    this(
        engine == Engine.BUILD_TIME_COMPILED ? CompiledHfiFilter.load() : parsedFilter(),
        engine == Engine.BUILD_TIME_COMPILED ? CompiledHfiFilter::create : InterpreterMachine::new,
        pluginConfig,
        shared);
  }

  /** Runs any module (the benchmark's empty filter too) on the given machine. */
  FilterHost(
      WasmModule module,
      Function<Instance, Machine> machine,
      String pluginConfig,
      SharedData shared) {
    vm =
        FilterVm.builder()
            .withModule(module, machine)
            .withPluginConfig(pluginConfig)
            .withUpstream(CLUSTER, URI.create("http://127.0.0.1:8080"))
            .withSharedData(shared)
            .withScheduler(ticks)
            // Answers reach the filter on the thread of the test that answers, so that answering
            // returns once the filter has taken the answer (a large rule set takes the interpreter
            // minutes), and a test's next wait starts from there.
            .withCallbackExecutor(Runnable::run)
            .withHttpCalls(
                (call, answer) -> {
                  calls.add(new PollCall(call, answer));
                  return () -> {};
                })
            .withLog(new Logs())
            .build();
    // The filter was configured with deferStart: a first context starts its polling now that the
    // host can set timers and call out (what the embedded data plane does once it serves).
    vm.startPolling();
  }

  private static WasmModule parsedFilter() {
    return Parser.parse(HfiFilterWasm.bytes());
  }

  /** The value of a metric the filter defined, or -1 if it never defined it. */
  long metric(String name) {
    return vm.metrics().snapshot().getOrDefault(name, -1L);
  }

  /** Size of the VM's linear memory in bytes. */
  long memoryBytes() {
    return vm.memoryBytes();
  }

  /** Every tick period the filter set, in ms, in order. */
  List<Integer> tickPeriods() {
    return ticks.periods;
  }

  /** Ticks armed and not cancelled: 0 means the filter has switched its tick off. */
  int activeTicks() {
    return ticks.armed();
  }

  /** How many times a tick of this VM has run so far. */
  int ticksRun() {
    return ticks.runs.get();
  }

  /**
   * Keeps the tick thread busy until {@code released}, as a loaded proxy's event loop is: ticks
   * that fall due meanwhile run late.
   */
  void holdTicks(CountDownLatch released) {
    ticks.execute(
        () -> {
          try {
            released.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
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

  /** What the filter decides at once for a request with the given header pairs. */
  Decision send(String... pairs) {
    Map<String, String> pseudo = new LinkedHashMap<>();
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i].startsWith(":")) {
        pseudo.put(pairs[i], pairs[i + 1]);
      } else {
        headers.add(Map.entry(pairs[i], pairs[i + 1]));
      }
    }
    return vm.onRequestHeaders(
        new RequestHead(
            pseudo.getOrDefault(":method", "GET"),
            pseudo.getOrDefault(":path", "/"),
            pseudo.getOrDefault(":authority", ""),
            pseudo.getOrDefault(":scheme", "http"),
            headers,
            "127.0.0.1",
            40000,
            18000));
  }

  /**
   * Sends a request through the filter, waiting while it is paused; one that proceeds is answered
   * {@code 200} by the "upstream" (the filter's {@code on_response_headers}), as a proxy would.
   */
  Result request(String... pairs) {
    long start = System.nanoTime();
    Decision decision = send(pairs);
    boolean paused = decision instanceof Paused;
    if (paused) {
      decision = await(resumed((Paused) decision));
    }
    if (decision instanceof Proceed proceed) {
      proceed.responseHeaders(200, List.of());
    }
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    return new Result(paused, decision instanceof Respond r ? r : null, elapsedMs);
  }

  /** The decision a paused request ends with. */
  static Future<Decision> resumed(Paused paused) {
    CompletableFuture<Decision> outcome = new CompletableFuture<>();
    paused.whenResumed(outcome::complete);
    return outcome;
  }

  /** Waits up to 10 s for a paused request's outcome. */
  static Decision await(Future<Decision> outcome) {
    try {
      return outcome.get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("a paused request was not resumed within 10 s", e);
    } catch (InterruptedException | ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    vm.close();
    ticks.shutdownNow();
  }

  /** What the filter did with one request. */
  static final class Result {
    /** The filter paused the request first (a delay). */
    final boolean paused;

    /** The filter's local answer, null when the request went upstream. */
    final Respond response;

    final long elapsedMs;

    Result(boolean paused, Respond response, long elapsedMs) {
      this.paused = paused;
      this.response = response;
      this.elapsedMs = elapsedMs;
    }

    boolean passed() {
      return response == null;
    }

    String header(String name) {
      for (Map.Entry<String, String> h : response.headers()) {
        if (h.getKey().equals(name)) {
          return h.getValue();
        }
      }
      return null;
    }

    String body() {
      return new String(response.body(), StandardCharsets.UTF_8);
    }
  }

  /** One http call of the filter, to be answered by the test. */
  static final class PollCall {
    final URI uri;
    final List<Map.Entry<String, String>> headers;
    private final Consumer<HttpCalls.Answer> answer;

    PollCall(HttpCalls.Call call, Consumer<HttpCalls.Answer> answer) {
      this.uri = call.uri();
      this.headers = call.headers();
      this.answer = answer;
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
      answer.accept(
          new HttpCalls.Answer(
              status,
              List.of(Map.entry("content-type", "text/event-stream")),
              body.getBytes(StandardCharsets.UTF_8)));
    }

    /** The call failed without a response (connection refused, timeout): no headers at all. */
    void fail() {
      answer.accept(HttpCalls.Answer.failed());
    }
  }

  /**
   * The VM's one tick thread, noting every tick period the filter sets, which ticks are still armed
   * and how often they ran.
   */
  private static final class Ticks extends ScheduledThreadPoolExecutor {
    final List<Integer> periods = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger runs = new AtomicInteger();
    private final List<ScheduledFuture<?>> armed = new ArrayList<>();

    Ticks() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
        Runnable tick, long initialDelay, long period, TimeUnit unit) {
      ScheduledFuture<?> f =
          super.scheduleAtFixedRate(
              () -> {
                runs.incrementAndGet();
                tick.run();
              },
              initialDelay,
              period,
              unit);
      periods.add((int) unit.toMillis(period));
      synchronized (armed) {
        armed.add(f);
      }
      return f;
    }

    int armed() {
      synchronized (armed) {
        armed.removeIf(ScheduledFuture::isDone);
        return armed.size();
      }
    }
  }

  private final class Logs implements FilterLog {
    @Override
    public Level level() {
      return Level.TRACE;
    }

    @Override
    public void log(Level level, String message) {
      logs.add(level + " " + message);
    }
  }
}
