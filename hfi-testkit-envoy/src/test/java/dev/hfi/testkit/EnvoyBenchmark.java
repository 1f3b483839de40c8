package dev.hfi.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.HfiClient;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.controlplane.PolicyCodec;
import dev.hfi.testkit.internal.EnvoyAdmin;
import dev.hfi.testkit.internal.FreePorts;
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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Benchmark of real Envoy with and without {@code hfi-filter.wasm}, beside the embedded data plane
 * (prints tables; not a test). Needs {@code wrk} and {@code nginx} on the PATH and Envoy ({@link
 * EnvoyBinary}; {@code source ci/env.sh}). Run {@code ci/benchmark-envoy.sh [duration]}.
 *
 * <p>Every row proxies the same upstream, an nginx started here (1 worker, no access log, 2-byte
 * body, keep-alive without a request limit). Rows: nginx directly; Envoy without the Wasm filter
 * (the bootstrap {@link EnvoyConfig} generates, minus the filter); {@link EnvoyProcess} with the
 * filter at 0, 10 and 1,000 non-matching policies; the embedded data plane at 0 and 10; with a
 * second argument, the empty filter's {@code .wasm} ({@code dev.hfi.filter.bench.EmptyFilter}, same
 * TeaVM build, callbacks that do nothing), Envoy running that: the cost of a Wasm filter as such.
 * Each row runs wrk with 1 connection (1 thread) and with 32 (2 threads), each measured run after a
 * warm-up run of the same length. Envoy runs with {@code --concurrency 2}, so with the filter it
 * holds 3 filter VMs (2 workers and the main thread); RSS is read from {@code /proc/<pid>/status}
 * after the 32-connection run, and the RSS per VM is (RSS with the filter - RSS without) / 3.
 */
public final class EnvoyBenchmark {
  private static final int WORKERS = 2;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One row of the table; {@code rssKb} is 0 where there is no Envoy. */
  private record Row(String name, Wrk.Result one, Wrk.Result many, long rssKb, String load) {}

  private EnvoyBenchmark() {}

  public static void main(String[] args) throws Exception {
    String duration = args.length > 0 ? args[0] : "10s";
    Path emptyFilter = args.length > 1 ? Path.of(args[1]) : null;
    Path binary = EnvoyBinary.require();
    System.out.printf(
        Locale.ROOT,
        "%s%ncores: %d, load before: %s, wrk runs of %s%n",
        version(binary),
        Runtime.getRuntime().availableProcessors(),
        loadAverage(),
        duration);
    List<Row> rows = new ArrayList<>();
    try (Nginx nginx = Nginx.start()) {
      rows.add(measure("direct to nginx", nginx.uri().resolve("/bench"), duration, 0));
      try (MemoryPolicyStore store = new MemoryPolicyStore();
          ControlPlaneServer controlPlane =
              ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
          HfiClient hfi = HfiClient.builder().withBaseUri(controlPlane.uri()).build()) {
        try (BareEnvoy bare = BareEnvoy.start(binary, controlPlane.uri(), nginx.uri())) {
          rows.add(measure("Envoy, no Wasm filter", bare.uri(), duration, bare.pid()));
        }
        if (emptyFilter != null) {
          // Never ACKs (it does not talk to the control plane): ready once Envoy is live.
          try (EnvoyProcess envoy =
              envoy(binary, controlPlane.uri(), nginx.uri())
                  .withFilterWasm(emptyFilter)
                  .withReadyTimeout(Duration.ZERO)
                  .build()
                  .start()) {
            rows.add(
                measure(
                    "Envoy + empty Wasm filter",
                    envoy.proxyUri("orders").resolve("/bench"),
                    duration,
                    envoy.pid()));
          }
        }
        try (EnvoyProcess envoy = envoy(binary, controlPlane.uri(), nginx.uri()).build().start()) {
          URI proxied = envoy.proxyUri("orders").resolve("/bench");
          int policies = 0;
          for (int target : new int[] {0, 10, 1000}) {
            applyNonMatching(hfi, policies, target);
            policies = target;
            rows.add(
                measure(
                    "Envoy + hfi-filter, " + target + " policies", proxied, duration, envoy.pid()));
          }
        }
      }
      // Its own control plane: Envoy's filter instances stay listed as live for a while after
      // Envoy stopped, and awaitApplied would wait for them.
      try (MemoryPolicyStore store = new MemoryPolicyStore();
          ControlPlaneServer controlPlane =
              ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
          HfiClient hfi = HfiClient.builder().withBaseUri(controlPlane.uri()).build();
          EmbeddedDataPlane embedded =
              EmbeddedDataPlane.builder()
                  .withControlPlane(controlPlane.uri())
                  .withUpstream("orders", nginx.uri())
                  .build()
                  .start()) {
        URI proxied = embedded.proxyUri("orders").resolve("/bench");
        // The proxy and the filter run in this JVM: let the JIT compile them first.
        Wrk.run(proxied, 32, duration);
        Wrk.run(proxied, 32, duration);
        rows.add(measure("embedded, 0 policies", proxied, duration, 0));
        applyNonMatching(hfi, 0, 10);
        rows.add(measure("embedded, 10 policies", proxied, duration, 0));
      }
    }
    print(rows);
    System.exit(0);
  }

  private static EnvoyProcess.Builder envoy(Path binary, URI controlPlane, URI upstream) {
    return EnvoyProcess.builder()
        .withBinary(binary)
        .withControlPlane(controlPlane)
        .withUpstream("orders", upstream)
        .withConcurrency(WORKERS);
  }

  /** Adds the policies {@code from}..{@code to}-1 and waits until every data plane applied them. */
  private static void applyNonMatching(HfiClient hfi, int from, int to) {
    long revision = -1;
    for (int i = from; i < to; i++) {
      revision =
          hfi.apply(
                  DataPlaneBenchmark.policy(
                      "nomatch-" + i,
                      "match: {path: {prefix: /nomatch-"
                          + i
                          + "/}, headers: [{name: x-never, exact: \"1\"}]}",
                      "abort: {httpStatus: 503}"),
                  PolicyCodec.Format.YAML)
              .revision();
    }
    if (revision >= 0) {
      hfi.awaitApplied(revision, Duration.ofMinutes(2));
    }
  }

  private static Row measure(String name, URI target, String duration, long envoyPid)
      throws Exception {
    Wrk.Pair measured = Wrk.oneAndMany(target, duration);
    Row row =
        new Row(
            name,
            measured.one(),
            measured.many(),
            envoyPid == 0 ? 0 : rssKb(envoyPid),
            loadAverage());
    System.out.printf(
        Locale.ROOT,
        "%-34s c=1 p50/p99/req/s, c=32 p50/p99/req/s: %s | load %s%n",
        name,
        String.join(" ", measured.cells()),
        row.load());
    return row;
  }

  private static void print(List<Row> rows) throws IOException {
    Row direct = rows.get(0);
    Row bare = rows.get(1);
    System.out.println();
    System.out.println(
        "| row | p50 c=1 | p99 c=1 | req/s c=1 | added p50 c=1 | added p99 c=1 | p50 c=32 |"
            + " p99 c=32 | req/s c=32 | added p50 c=32 | added p99 c=32 | Envoy RSS |"
            + " RSS per VM | load (1/5/15 min) |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (Row r : rows) {
      boolean withFilter = r.rssKb() != 0 && r != bare;
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
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
          withFilter ? mib((r.rssKb() - bare.rssKb()) / (WORKERS + 1)) : "-",
          r.load());
    }
    Row ten = rows.stream().filter(r -> r.name().endsWith(", 10 policies")).findFirst().get();
    Row thousand =
        rows.stream().filter(r -> r.name().endsWith(", 1000 policies")).findFirst().get();
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
            + " thread); load after the run: %s%n",
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
        loadAverage());
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
      URI uri = URI.create("http://127.0.0.1:" + port + "/bench");
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
