package dev.hfi.filter.wasm;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.hfi.filter.CompiledHfiFilter;
import dev.hfi.filter.HfiFilterWasm;
import dev.hfi.filter.internal.build.TeaVmBuild;
import dev.hfi.wasmhost.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Cost per request of hfi-filter.wasm in proxy-wasm-java-host, through the embedded data plane's
 * host adaptor (create the HTTP context, run proxy_on_request_headers, close it), next to an empty
 * filter built by the same TeaVM build. Not a test: run it with
 *
 * <pre>
 * mvn -B -ntp -q -pl hfi-wasm-filter -am test-compile exec:java \
 *   -Dexec.classpathScope=test -Dexec.mainClass=dev.hfi.filter.wasm.FilterBenchmark
 * </pre>
 */
public final class FilterBenchmark {
  private static final String[] NON_MATCHING = {
    ":method", "GET",
    ":path", "/api/orders/12345?expand=items",
    ":authority", "orders.internal",
    ":scheme", "http",
    "user-agent", "bench/1.0",
    "accept", "application/json",
    "x-request-id", "6f1c2a0e-8a7b-4a53-9a1e-0f5f3b1f6a11",
    "x-user", "alice"
  };

  private static final long WARMUP_NANOS = 4_000_000_000L;
  private static final long ROUND_NANOS = 1_000_000_000L;
  private static final int ROUNDS = 5;

  private FilterBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("hfi-bench");
    Path empty = dir.resolve("empty-filter.wasm");
    TeaVmBuild.build(
        "dev.hfi.filter.bench.EmptyFilter", empty, FilterBenchmark.class.getClassLoader());
    WasmModule emptyModule = Parser.parse(Files.readAllBytes(empty));
    WasmModule hfiModule = Parser.parse(HfiFilterWasm.bytes());
    System.out.printf(
        Locale.ROOT,
        "hfi-filter.wasm: %d bytes; empty filter: %d bytes%n%n",
        HfiFilterWasm.bytes().length,
        Files.size(empty));

    List<String[]> rows = new ArrayList<>();
    for (boolean compiled : new boolean[] {true, false}) {
      String engine = compiled ? "build-time compiled" : "interpreter";
      // Same code generator as the build-time plugin, run at start-up for the throwaway module.
      Function<Instance, Machine> emptyMachine =
          compiled ? MachineFactoryCompiler.compile(emptyModule) : InterpreterMachine::new;
      try (FilterHost host = new FilterHost(emptyModule, emptyMachine, "", SharedData.envoy())) {
        double ns = measure(host, NON_MATCHING);
        add(rows, engine, "empty filter", "-", "any", fmt(ns));
      }
      for (int rules : new int[] {0, 10, 1000}) {
        try (FilterHost host =
            compiled
                ? new FilterHost(
                    CompiledHfiFilter.load(),
                    CompiledHfiFilter::create,
                    FilterAbortIT.CONFIG,
                    SharedData.envoy())
                : new FilterHost(
                    hfiModule, InterpreterMachine::new, FilterAbortIT.CONFIG, SharedData.envoy())) {
          host.nextCall().ruleSet(1, ruleSet(rules));
          host.awaitAck(1);
          double miss = measure(host, NON_MATCHING);
          add(rows, engine, "hfi-filter", "" + rules, "non-matching", fmt(miss));
          if (rules > 0) {
            String[] hit = NON_MATCHING.clone();
            hit[3] = "/svc-" + (rules - 1) + "/orders/12345";
            if (host.request(hit).passed()) {
              throw new IllegalStateException("benchmark request did not match its rule");
            }
            double match = measure(host, hit);
            add(rows, engine, "hfi-filter", "" + rules, "matching (abort)", fmt(match));
          }
        }
      }
    }
    System.out.println();
    print(rows);
  }

  /** Rules on distinct path prefixes; the matching request hits the last (lowest priority) one. */
  private static String ruleSet(int n) {
    StringBuilder sb = new StringBuilder("{\"version\":1,\"rules\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"policy\":\"p")
          .append(i)
          .append("\",\"path\":{\"prefix\":\"/svc-")
          .append(i)
          .append("/\"},\"method\":{\"exact\":\"GET\"},\"abort\":{\"httpStatus\":503,")
          .append("\"body\":\"injected\"}}");
    }
    return sb.append("]}").toString();
  }

  /**
   * Best of {@link #ROUNDS} timed rounds of {@link #ROUND_NANOS} each, after {@link #WARMUP_NANOS}
   * of warm-up, in nanoseconds per request. The best round is the one least disturbed by other
   * processes on a shared machine.
   */
  private static double measure(FilterHost host, String[] request) {
    run(host, request, WARMUP_NANOS);
    double best = Double.MAX_VALUE;
    for (int r = 0; r < ROUNDS; r++) {
      best = Math.min(best, run(host, request, ROUND_NANOS));
    }
    return best;
  }

  private static double run(FilterHost host, String[] request, long nanos) {
    long start = System.nanoTime();
    long n = 0;
    long now;
    do {
      for (int i = 0; i < 100; i++) {
        host.request(request);
      }
      n += 100;
      now = System.nanoTime();
    } while (now - start < nanos);
    return (now - start) / (double) n;
  }

  private static void add(List<String[]> rows, String... row) {
    rows.add(row);
    System.out.println(String.join(" / ", row));
  }

  private static String fmt(double ns) {
    return String.format(Locale.ROOT, "%.2f", ns / 1000.0);
  }

  private static void print(List<String[]> rows) {
    String[] head = {"engine", "filter", "rules", "request", "us/request"};
    int[] w = new int[head.length];
    for (int i = 0; i < head.length; i++) {
      w[i] = head[i].length();
      for (String[] r : rows) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, head, w);
    String[] sep = new String[head.length];
    for (int i = 0; i < head.length; i++) {
      sep[i] = "-".repeat(w[i]);
    }
    line(sb, sep, w);
    for (String[] r : rows) {
      line(sb, r, w);
    }
    System.out.print(sb);
  }

  private static void line(StringBuilder sb, String[] cells, int[] w) {
    sb.append('|');
    for (int i = 0; i < cells.length; i++) {
      sb.append(' ').append(String.format(Locale.ROOT, "%-" + w[i] + "s", cells[i])).append(" |");
    }
    sb.append('\n');
  }
}
