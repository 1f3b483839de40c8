package dev.hfi.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hfi.client.HfiClient;
import dev.hfi.client.PolicyCodec;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.testkit.internal.EnvoyAdmin;
import dev.hfi.testsupport.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Benchmark of real Envoy with and without {@code hfi-filter.wasm}, beside the embedded data plane
 * (prints tables; not a test). Needs {@code wrk} and {@code nginx} on the PATH and Envoy ({@link
 * EnvoyBinary}; {@code source ci/env.sh}). Run {@code ci/benchmark-envoy.sh [duration] [rounds]}.
 *
 * <p>Every row proxies the same upstream, an nginx started here (1 worker, no access log, 2-byte
 * body, keep-alive without a request limit). Rows: nginx directly; Envoy without the Wasm filter
 * (the bootstrap {@link EnvoyConfig} generates, minus the filter); with a third argument, the empty
 * filter's {@code .wasm} ({@code dev.hfi.filter.bench.EmptyFilter}: same TeaVM build, callbacks
 * that do nothing), Envoy running that, the cost of a Wasm filter as such; {@link EnvoyProcess}
 * with hfi-filter at 0, 10 and 1,000 non-matching policies (one Envoy and one control plane each);
 * the embedded data plane at 0 and 10 (one data plane, a listener and node each). Everything is
 * started first, so that the rows can take turns: for 1 connection (1 wrk thread), then 32 (2
 * threads), a warm-up round runs wrk once against every row, then {@code rounds} measured rounds do
 * the same; a figure is the median over the rounds. Load that comes and goes on the machine then
 * falls on every row alike instead of on whichever row ran at that moment.
 *
 * <p>Envoy runs with {@code --concurrency 2}, so with a filter it holds 3 filter VMs (2 workers and
 * the main thread); RSS is VmRSS of {@code /proc/<pid>/status} after the last round, and the RSS
 * per VM is (RSS with the filter - RSS without) / 3.
 */
public final class EnvoyBenchmark {
  private static final int WORKERS = 2;
  private static final int[] CONNECTIONS = {1, 32};
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What wrk is pointed at; {@code pid} is Envoy's, 0 where there is none. */
  private record Target(String name, URI uri, long pid) {}

  /** One row of the table: medians over the rounds; {@code rssKb} is 0 where there is no Envoy. */
  private record Row(String name, Wrk.Result one, Wrk.Result many, long rssKb) {}

  private EnvoyBenchmark() {}

  public static void main(String[] args) throws Exception {
    String duration = args.length > 0 ? args[0] : "10s";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    Path emptyFilter = args.length > 2 ? Path.of(args[2]) : null;
    Path binary = EnvoyBinary.require();
    System.out.printf(
        Locale.ROOT,
        "%s%ncores: %d, load before: %s, wrk runs of %s, %d measured rounds%n",
        version(binary),
        Runtime.getRuntime().availableProcessors(),
        loadAverage(),
        duration,
        rounds);
    List<String> loads = new ArrayList<>();
    List<Row> rows;
    // A control plane per data plane: each filter receives and decodes only its own policies, so
    // its memory is that of its rule set.
    try (Nginx nginx = Nginx.start();
        Plane plane0 = Plane.start();
        Plane plane10 = Plane.start();
        Plane plane1000 = Plane.start();
        Plane planeEmbedded = Plane.start();
        BareEnvoy bare = BareEnvoy.start(binary, plane0.uri(), nginx.uri());
        // Never ACKs (it does not talk to the control plane): ready once Envoy is live.
        EnvoyProcess empty =
            emptyFilter == null
                ? null
                : envoy(binary, plane0.uri(), "empty", nginx.uri())
                    .withFilterWasm(emptyFilter)
                    .withReadyTimeout(Duration.ZERO)
                    .build()
                    .start();
        EnvoyProcess hfi0 = envoy(binary, plane0.uri(), "p0", nginx.uri()).build().start();
        EnvoyProcess hfi10 = envoy(binary, plane10.uri(), "p10", nginx.uri()).build().start();
        EnvoyProcess hfi1000 =
            envoy(binary, plane1000.uri(), "p1000", nginx.uri()).build().start();
        EmbeddedDataPlane embedded =
            EmbeddedDataPlane.builder()
                .withControlPlane(planeEmbedded.uri())
                .withUpstream("e0", nginx.uri())
                .withUpstream("e10", nginx.uri())
                .build()
                .start()) {
      applyNonMatching(plane10.client(), "p10", 10);
      applyNonMatching(plane1000.client(), "p1000", 1000);
      applyNonMatching(planeEmbedded.client(), "e10", 10);
      List<Target> targets = new ArrayList<>();
      targets.add(new Target("direct to nginx", nginx.uri(), 0));
      targets.add(new Target("Envoy, no Wasm filter", bare.uri(), bare.pid()));
      if (empty != null) {
        targets.add(new Target("Envoy + empty Wasm filter", empty.proxyUri("empty"), empty.pid()));
      }
      targets.add(new Target("Envoy + hfi-filter, 0 policies", hfi0.proxyUri("p0"), hfi0.pid()));
      targets.add(
          new Target("Envoy + hfi-filter, 10 policies", hfi10.proxyUri("p10"), hfi10.pid()));
      targets.add(
          new Target(
              "Envoy + hfi-filter, 1000 policies", hfi1000.proxyUri("p1000"), hfi1000.pid()));
      targets.add(new Target("embedded, 0 policies", embedded.proxyUri("e0"), 0));
      targets.add(new Target("embedded, 10 policies", embedded.proxyUri("e10"), 0));
      // The embedded proxy and its filter run in this JVM: let the JIT compile them first.
      Wrk.run(embedded.proxyUri("e0").resolve("/bench"), 32, duration);
      Map<Integer, Map<Target, List<Wrk.Result>>> results = new HashMap<>();
      for (int connections : CONNECTIONS) {
        Map<Target, List<Wrk.Result>> byTarget = new HashMap<>();
        results.put(connections, byTarget);
        for (int round = 0; round <= rounds; round++) {
          for (Target t : targets) {
            Wrk.Result r = Wrk.run(t.uri().resolve("/bench"), connections, duration);
            System.out.printf(
                Locale.ROOT,
                "c=%-2d %-8s %-34s p50 %s p99 %s %s req/s%n",
                connections,
                round == 0 ? "warm-up" : "round " + round,
                t.name(),
                Wrk.us(r.p50()),
                Wrk.us(r.p99()),
                Wrk.rps(r.rps()));
            if (round > 0) {
              byTarget.computeIfAbsent(t, k -> new ArrayList<>()).add(r);
            }
          }
          loads.add(loadAverage());
        }
      }
      rows = new ArrayList<>();
      for (Target t : targets) {
        rows.add(
            new Row(
                t.name(),
                median(results.get(1).get(t)),
                median(results.get(32).get(t)),
                t.pid() == 0 ? 0 : rssKb(t.pid())));
      }
    }
    print(rows, loads);
    System.exit(0);
  }

  private static EnvoyProcess.Builder envoy(
      Path binary, URI controlPlane, String node, URI upstream) {
    return EnvoyProcess.builder()
        .withBinary(binary)
        .withControlPlane(controlPlane)
        .withUpstream(node, upstream)
        .withConcurrency(WORKERS);
  }

  /**
   * Gives {@code node} {@code count} policies on paths no request takes, and waits until every data
   * plane of the control plane applied them.
   */
  private static void applyNonMatching(HfiClient hfi, String node, int count) {
    long revision = -1;
    for (int i = 0; i < count; i++) {
      String name = node + "-nomatch-" + i;
      String policy =
          """
          apiVersion: hfi.dev/v1alpha1
          kind: FaultInjectionPolicy
          metadata: {name: %s}
          spec:
            target: {nodes: [%s]}
            match: {path: {prefix: /%s/}, headers: [{name: x-never, exact: "1"}]}
            fault: {abort: {httpStatus: 503}}
          """
              .formatted(name, node, name);
      revision = hfi.apply(policy, PolicyCodec.Format.YAML).revision();
    }
    hfi.awaitApplied(revision, Duration.ofMinutes(2));
  }

  /** The median of each figure on its own. */
  private static Wrk.Result median(List<Wrk.Result> results) {
    return new Wrk.Result(
        median(results.stream().mapToDouble(Wrk.Result::p50).toArray()),
        median(results.stream().mapToDouble(Wrk.Result::p99).toArray()),
        median(results.stream().mapToDouble(Wrk.Result::rps).toArray()));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static void print(List<Row> rows, List<String> loads) throws IOException {
    Row direct = rows.get(0);
    Row bare = rows.get(1);
    System.out.println();
    System.out.println(
        "| row | p50 c=1 | p99 c=1 | req/s c=1 | added p50 c=1 | added p99 c=1 | p50 c=32 |"
            + " p99 c=32 | req/s c=32 | added p50 c=32 | added p99 c=32 | Envoy RSS |"
            + " RSS per VM |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      boolean withFilter = r.rssKb() != 0 && r != bare;
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          r.name(),
          Wrk.us(r.one().p50()),
          Wrk.us(r.one().p99()),
          Wrk.rps(r.one().rps()),
          r == direct ? "-" : added(r.one().p50() - direct.one().p50()),
          r == direct ? "-" : added(r.one().p99() - direct.one().p99()),
          Wrk.us(r.many().p50()),
          Wrk.us(r.many().p99()),
          Wrk.rps(r.many().rps()),
          r == direct ? "-" : added(r.many().p50() - direct.many().p50()),
          r == direct ? "-" : added(r.many().p99() - direct.many().p99()),
          r.rssKb() == 0 ? "-" : mib(r.rssKb()),
          withFilter ? mib((r.rssKb() - bare.rssKb()) / (WORKERS + 1)) : "-");
    }
    Row ten =
        rows.stream().filter(r -> r.name().endsWith("hfi-filter, 10 policies")).findFirst().get();
    Row thousand =
        rows.stream().filter(r -> r.name().endsWith("hfi-filter, 1000 policies")).findFirst().get();
    double p50Ratio = ten.one().p50() / bare.one().p50();
    double rpsRatio = ten.many().rps() / bare.many().rps();
    double addedRatio =
        (thousand.one().p50() - direct.one().p50()) / (ten.one().p50() - direct.one().p50());
    System.out.printf(
        Locale.ROOT,
        "%nTargets:%n"
            + "- Envoy + filter at 10 policies, p50 at 1 connection: %.2fx of Envoy without the"
            + " filter (%s vs %s; target <= 1.10x): %s%n"
            + "- Envoy + filter at 10 policies, req/s at 32 connections: %.0f %% of Envoy without"
            + " the filter (%s vs %s; target >= 90 %%): %s%n"
            + "- added p50 at 1 connection, 1,000 vs 10 policies: %.2fx (%s vs %s; target <="
            + " 1.5x): %s%n"
            + "RSS per VM = (Envoy RSS with the filter - without) / %d VMs (%d workers + main"
            + " thread); load average (1/5/15 min) after each round: %s%n",
        p50Ratio,
        Wrk.us(ten.one().p50()),
        Wrk.us(bare.one().p50()),
        p50Ratio <= 1.10 ? "met" : "NOT met",
        rpsRatio * 100,
        Wrk.rps(ten.many().rps()),
        Wrk.rps(bare.many().rps()),
        rpsRatio >= 0.90 ? "met" : "NOT met",
        addedRatio,
        added(thousand.one().p50() - direct.one().p50()),
        added(ten.one().p50() - direct.one().p50()),
        addedRatio <= 1.5 ? "met" : "NOT met",
        WORKERS + 1,
        WORKERS,
        String.join(", ", loads));
  }

  private static String added(double micros) {
    return (micros >= 0 ? "+" : "-") + Wrk.us(Math.abs(micros));
  }

  private static String mib(long kb) {
    return String.format(Locale.ROOT, "%.1f MiB", kb / 1024.0);
  }

  /** VmRSS of a process, in kB. */
  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS in /proc/" + pid + "/status");
  }

  private static String loadAverage() throws IOException {
    String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return fields[0] + " / " + fields[1] + " / " + fields[2];
  }

  private static String version(Path binary) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor();
    return out;
  }

  /** Answers 200 within {@code timeout}, or the process exits or the time runs out. */
  private static void awaitOk(URI uri, Process process, Path log, Duration timeout)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IOException(uri + " did not answer 200; log " + log + ":\n" + tail(log));
      }
      process.waitFor(100, TimeUnit.MILLISECONDS);
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private static void stop(Process process, Path dir) throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }

  /** Starts a child process whose output goes to {@code log}, stopped when the JVM exits. */
  private static Process spawn(Path log, String... command) throws IOException {
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    return p;
  }

  /** A control plane in this JVM with the memory store, and a client of it. */
  private record Plane(MemoryPolicyStore store, ControlPlaneServer server, HfiClient client)
      implements AutoCloseable {
    static Plane start() {
      MemoryPolicyStore store = new MemoryPolicyStore();
      ControlPlaneServer server =
          ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
      return new Plane(store, server, HfiClient.builder().withBaseUri(server.uri()).build());
    }

    URI uri() {
      return server.uri();
    }

    @Override
    public void close() {
      client.close();
      server.close();
      store.close();
    }
  }

  /**
   * nginx in the foreground with one worker, on a free loopback port ({@code uri}), answering "ok"
   * to every path.
   */
  private record Nginx(Process process, Path dir, URI uri) implements AutoCloseable {
    static Nginx start() throws IOException, InterruptedException {
      Path dir = Files.createTempDirectory("hfi-bench-nginx-");
      int port = FreePorts.pick(1).get(0);
      String conf =
          """
          daemon off;
          master_process on;
          worker_processes 1;
          pid %1$s/nginx.pid;
          error_log %1$s/error.log warn;
          events { worker_connections 1024; }
          http {
            access_log off;
            client_body_temp_path %1$s/body;
            proxy_temp_path %1$s/proxy;
            # Envoy and wrk keep their connections; nginx's default closes one every 1,000
            # requests, which would add reconnects to every row.
            keepalive_requests 100000000;
            server {
              listen 127.0.0.1:%2$d;
              location / { default_type text/plain; return 200 "ok"; }
            }
          }
          """
              .formatted(dir, port);
      Files.writeString(dir.resolve("nginx.conf"), conf);
      Path log = dir.resolve("error.log");
      Process p =
          spawn(
              dir.resolve("stdout.log"),
              "nginx",
              "-p",
              dir.toString(),
              "-e",
              log.toString(),
              "-c",
              dir.resolve("nginx.conf").toString());
      URI uri = URI.create("http://127.0.0.1:" + port);
      awaitOk(uri, p, log, Duration.ofSeconds(10));
      return new Nginx(p, dir, uri);
    }

    @Override
    public void close() throws IOException, InterruptedException {
      stop(process, dir);
    }
  }

  /**
   * Envoy with the bootstrap {@link EnvoyConfig} generates minus the Wasm filter, with the flags
   * {@link EnvoyProcess} uses: the baseline the filter's cost is measured against.
   */
  private record BareEnvoy(Process process, Path dir, URI uri) implements AutoCloseable {
    static BareEnvoy start(Path binary, URI controlPlane, URI upstream)
        throws IOException, InterruptedException {
      Path dir = Files.createTempDirectory("hfi-bench-envoy-");
      int port = FreePorts.pick(1).get(0);
      String yaml =
          EnvoyConfig.builder()
              .withListenAddress("127.0.0.1")
              .withAdminPort(0)
              .withControlPlane(controlPlane.getHost(), controlPlane.getPort())
              .withFilterPath("/unused/hfi-filter.wasm")
              .withUpstream("orders", "orders", port, upstream)
              .build()
              .toYaml();
      JsonNode bootstrap = YAML.readTree(yaml);
      int removed = 0;
      for (JsonNode listener : bootstrap.path("static_resources").path("listeners")) {
        for (JsonNode chain : listener.path("filter_chains")) {
          for (JsonNode filter : chain.path("filters")) {
            ArrayNode httpFilters = (ArrayNode) filter.path("typed_config").path("http_filters");
            for (int i = httpFilters.size() - 1; i >= 0; i--) {
              if (httpFilters.get(i).path("name").asText().equals("envoy.filters.http.wasm")) {
                httpFilters.remove(i);
                removed++;
              }
            }
          }
        }
      }
      if (removed != 1) {
        throw new IllegalStateException("expected one Wasm filter in the bootstrap:\n" + yaml);
      }
      // JSON is YAML: Envoy reads it as its .yaml extension says.
      Path config = dir.resolve("envoy.yaml");
      Files.writeString(config, JSON.writeValueAsString(bootstrap));
      Path log = dir.resolve("envoy.log");
      Path adminAddress = dir.resolve("admin-address");
      Process p =
          spawn(
              log,
              binary.toString(),
              "-c",
              config.toString(),
              "--concurrency",
              String.valueOf(WORKERS),
              "--log-level",
              "info",
              "--disable-hot-restart",
              "--admin-address-path",
              adminAddress.toString());
      URI uri = URI.create("http://127.0.0.1:" + port);
      awaitOk(uri, p, log, Duration.ofSeconds(30));
      if (!Files.exists(adminAddress)
          || !new EnvoyAdmin(URI.create("http://" + Files.readString(adminAddress).strip()))
              .readiness()
              .live()) {
        throw new IOException("Envoy answers but is not LIVE; log:\n" + tail(log));
      }
      return new BareEnvoy(p, dir, uri);
    }

    long pid() {
      return process.pid();
    }

    @Override
    public void close() throws IOException, InterruptedException {
      stop(process, dir);
    }
  }
}
