package dev.hfi.testkit;

import dev.hfi.client.HfiClient;
import dev.hfi.client.PolicyCodec;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.AbstractHandler;

/**
 * Benchmark of the embedded data plane (prints tables; not a test). Needs {@code wrk} on the PATH
 * (ci/install-deps.sh installs it). Run:
 *
 * <pre>
 * mvn -q -pl hfi-testkit-envoy -am install -DskipTests
 * mvn -q -pl hfi-testkit-envoy test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.hfi.testkit.DataPlaneBenchmark [-Dexec.args=10s]
 * </pre>
 *
 * <p>Everything runs on this machine: a Jetty upstream answering 2 bytes, the control plane, the
 * embedded data plane and wrk. Latency is measured with 1 connection (the added latency per
 * request), throughput with 32; each run follows a warm-up of the same length, after a JIT warm-up
 * of both paths. Delay accuracy: requests to a delayed path, one at a time, or 10 (100 ms) or 25 (2
 * s) in flight at once, measured from the client: measured minus configured.
 */
public final class DataPlaneBenchmark {
  private DataPlaneBenchmark() {}

  public static void main(String[] args) throws Exception {
    String duration = args.length > 0 ? args[0] : "10s";
    Server upstream = upstream();
    URI upstreamUri =
        URI.create(
            "http://127.0.0.1:" + ((ServerConnector) upstream.getConnectors()[0]).getLocalPort());
    try (MemoryPolicyStore store = new MemoryPolicyStore();
        ControlPlaneServer controlPlane =
            ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
        HfiClient hfi = HfiClient.builder().withBaseUri(controlPlane.uri()).build()) {
      // Both stay up to the end: a closed instance would count as live (not yet stale) and
      // awaitApplied would wait for it.
      try (EmbeddedDataPlane first = dataPlane(controlPlane.uri(), upstreamUri);
          EmbeddedDataPlane proxy = dataPlane(controlPlane.uri(), upstreamUri)) {
        EmbeddedDataPlane.StartupCost cold = first.startupCost();
        EmbeddedDataPlane.StartupCost warm = proxy.startupCost();
        System.out.printf(
            Locale.ROOT,
            "%nStartup (ms)            module load   filter VM (incl. load)   start() total%n"
                + "first in the JVM        %11d   %22d   %13d%n"
                + "second                  %11s   %22d   %13d%n",
            cold.moduleLoad().toMillis(),
            cold.filterCreation().toMillis(),
            cold.total().toMillis(),
            "-",
            warm.filterCreation().toMillis(),
            warm.total().toMillis());

        URI direct = upstreamUri.resolve("/bench");
        URI proxied = proxy.proxyUri("orders").resolve("/bench");
        // JIT warm-up of both paths before anything is measured.
        Wrk.run(direct, 32, duration);
        Wrk.run(proxied, 32, duration);
        Wrk.run(proxied, 32, duration);
        List<String[]> rows = new ArrayList<>();
        rows.add(row("direct to the upstream", direct, duration));
        rows.add(row("embedded, no policy", proxied, duration));
        long revision = 0;
        for (int i = 0; i < 10; i++) {
          revision =
              hfi.apply(
                      policy(
                          "nomatch-" + i,
                          "match: {path: {prefix: /nomatch-"
                              + i
                              + "}, headers: [{name: x-never, exact: \"1\"}]}",
                          "abort: {httpStatus: 503}"),
                      PolicyCodec.Format.YAML)
                  .revision();
        }
        hfi.awaitApplied(revision, Duration.ofSeconds(30));
        rows.add(row("embedded, 10 non-matching", proxied, duration));
        System.out.printf(
            Locale.ROOT,
            "%n%-28s %10s %10s %12s %10s %10s %12s%n",
            "Latency / throughput",
            "p50 (c=1)",
            "p99 (c=1)",
            "req/s (c=1)",
            "p50 (c=32)",
            "p99 (c=32)",
            "req/s (c=32)");
        for (String[] r : rows) {
          System.out.printf(Locale.ROOT, "%-28s %10s %10s %12s %10s %10s %12s%n", (Object[]) r);
        }

        hfi.awaitApplied(
            hfi.apply(
                    policy(
                        "delay-100ms",
                        "match: {path: {prefix: /delay100}}",
                        "delay: {fixedDelay: 100ms}"),
                    PolicyCodec.Format.YAML)
                .revision(),
            Duration.ofSeconds(30));
        hfi.awaitApplied(
            hfi.apply(
                    policy(
                        "delay-2s", "match: {path: {prefix: /delay2s}}", "delay: {fixedDelay: 2s}"),
                    PolicyCodec.Format.YAML)
                .revision(),
            Duration.ofSeconds(30));
        System.out.printf(
            Locale.ROOT,
            "%n%-24s %8s %10s %10s %10s %10s%n",
            "Delay accuracy (ms)",
            "requests",
            "min",
            "p50",
            "p99",
            "max");
        delayRow("no delay, one at a time", proxied, 0, 200, 1);
        delayRow(
            "100 ms, one at a time", proxy.proxyUri("orders").resolve("/delay100"), 100, 50, 1);
        delayRow(
            "100 ms, 10 in flight", proxy.proxyUri("orders").resolve("/delay100"), 100, 400, 10);
        delayRow("2 s, 25 in flight", proxy.proxyUri("orders").resolve("/delay2s"), 2000, 100, 25);
        System.out.println(
            "(measured minus configured, at the client (JDK HttpClient); negative = early;"
                + " \"no delay\" is the client's and the proxy's own time)");
      }
    } finally {
      upstream.stop();
    }
    System.exit(0);
  }

  private static EmbeddedDataPlane dataPlane(URI controlPlane, URI upstream) {
    return EmbeddedDataPlane.builder()
        .withControlPlane(controlPlane)
        .withUpstream("orders", upstream)
        .build()
        .start();
  }

  private static String policy(String name, String match, String fault) {
    return "apiVersion: hfi.dev/v1alpha1\nkind: FaultInjectionPolicy\nmetadata: {name: "
        + name
        + "}\nspec:\n  target: {nodes: [orders]}\n  "
        + match
        + "\n  fault: {"
        + fault
        + "}\n";
  }

  private static String[] row(String name, URI target, String duration) throws Exception {
    String[] cells = Wrk.oneAndMany(target, duration).cells();
    String[] row = new String[cells.length + 1];
    row[0] = name;
    System.arraycopy(cells, 0, row, 1, cells.length);
    return row;
  }

  private static void delayRow(String name, URI target, long delayMs, int requests, int inFlight)
      throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<Double> lateMs = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Void>> window = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      if (window.size() == inFlight) {
        window.remove(0).join();
      }
      long start = System.nanoTime();
      window.add(
          client
              .sendAsync(
                  HttpRequest.newBuilder(target).build(), HttpResponse.BodyHandlers.discarding())
              .thenAccept(
                  r -> {
                    if (r.statusCode() != 200) {
                      throw new IllegalStateException("status " + r.statusCode());
                    }
                    lateMs.add((System.nanoTime() - start) / 1e6 - delayMs);
                  }));
    }
    window.forEach(CompletableFuture::join);
    List<Double> sorted = new ArrayList<>(lateMs);
    Collections.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "%-24s %8d %10.2f %10.2f %10.2f %10.2f%n",
        name,
        sorted.size(),
        sorted.get(0),
        sorted.get(sorted.size() / 2),
        sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1),
        sorted.get(sorted.size() - 1));
  }

  private static Server upstream() throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    byte[] ok = "ok".getBytes(StandardCharsets.US_ASCII);
    server.setHandler(
        new AbstractHandler() {
          @Override
          public void handle(
              String target, Request base, HttpServletRequest request, HttpServletResponse response)
              throws IOException {
            response.setStatus(200);
            response.setContentLength(ok.length);
            response.getOutputStream().write(ok);
            base.setHandled(true);
          }
        });
    server.start();
    return server;
  }
}
