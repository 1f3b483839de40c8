package dev.hfi.testkit;

import dev.hfi.filter.PluginConfig;
import dev.hfi.testkit.TestkitException.Code;
import dev.hfi.testkit.internal.DataPlaneSettings;
import dev.hfi.testkit.internal.DataPlaneSettings.Upstream;
import dev.hfi.testkit.internal.FilterModule;
import dev.hfi.testkit.internal.FilteringProxyServlet;
import dev.hfi.testkit.internal.PemTrust;
import dev.hfi.testkit.internal.WasmFilterHost;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded data plane: an HTTP reverse proxy inside the JVM that runs the very {@code
 * hfi-filter.wasm} Envoy runs, on Chicory (build-time compiled) through proxy-wasm-java-host, in
 * front of one or more upstreams.
 *
 * <p>Each upstream gets a listener of its own (port 0 = any free port) and its own filter VM, which
 * reports to the control plane as node = the upstream's name, long-polls it for rule sets and
 * injects their faults: an abort answers locally with the policy's status, body and headers plus
 * {@code x-hfi-fault: <policy>}; a delay holds the request without holding a thread. The proxy is
 * Jetty's asynchronous proxy servlet: bodies stream, hop-by-hop headers are dropped, {@code
 * X-Forwarded-For/Proto/Host} are added and {@code Host} is preserved (as Envoy does). The
 * upstream's {@code Date} and {@code Server} pass through; an unreachable upstream gets Envoy's
 * {@code 503} (docs/DATA_PLANE.md). Upstreams may be {@code https} ({@link Builder#withTrustedCa}).
 *
 * <p>{@link #start()} returns once every listener is bound and, unless {@link
 * Builder#withReadyTimeout} is zero, every filter has ACKed the control plane's current rule set.
 * Thread-safe once started; {@link #close()} stops listeners, filters and threads.
 *
 * <pre>{@code
 * try (EmbeddedDataPlane proxy = EmbeddedDataPlane.builder()
 *     .withControlPlane(URI.create("http://127.0.0.1:8080"))
 *     .withUpstream("orders", URI.create("http://127.0.0.1:8081"))
 *     .build()
 *     .start()) {
 *   URI orders = proxy.proxyUri("orders");          // point the client under test here
 *   long injected = proxy.injections("orders-unavailable");
 * }
 * }</pre>
 */
public final class EmbeddedDataPlane implements DataPlane {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDataPlane.class);
  private static final Duration MAX_POLL_TIMEOUT = Duration.ofMinutes(5);

  /** Longer than the longest delay a policy may ask for (1 h), so a held request is not cut. */
  private static final long IDLE_TIMEOUT_MS = Duration.ofMinutes(61).toMillis();

  /** What starting cost, measured by {@link #start()}. */
  public record StartupCost(Duration moduleLoad, Duration filterCreation, Duration total) {}

  private final Builder config;
  private final Map<String, WasmFilterHost> filters = new LinkedHashMap<>();
  private final Map<String, ServerConnector> connectors = new LinkedHashMap<>();

  /** Filled as the filters write it: each entry is in before its request is answered. */
  private final RequestJournal journal = new RequestJournal(() -> {}, node -> node);

  private Server server;
  private HttpClient callClient;
  private ScheduledThreadPoolExecutor hostThreads;
  private volatile StartupCost startupCost;
  private volatile boolean started;

  private EmbeddedDataPlane(Builder config) {
    this.config = config;
  }

  /** A builder; {@link Builder#withControlPlane} and at least one upstream are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates the filter VMs, binds every listener and waits for the filters' ACKs.
   *
   * @throws TestkitException {@code INVALID_CONFIGURATION} when a port cannot be bound, {@code
   *     NOT_STARTED} when the filters did not ACK within the ready timeout
   */
  public synchronized EmbeddedDataPlane start() {
    if (started) {
      throw new IllegalStateException("already started");
    }
    long t0 = System.nanoTime();
    try {
      startFilters();
      long filtersDone = System.nanoTime();
      startServer();
      filters.values().forEach(WasmFilterHost::startPolling);
      awaitAcks();
      long moduleLoad = WasmFilterHost.moduleLoadNanos();
      startupCost =
          new StartupCost(
              Duration.ofNanos(moduleLoad),
              Duration.ofNanos(filtersDone - t0),
              Duration.ofNanos(System.nanoTime() - t0));
    } catch (RuntimeException | Error e) {
      // Errors too (a class missing or clashing on this classpath): listeners, clients and
      // filters already started must not outlive the failure and keep the JVM from exiting.
      close();
      throw e;
    }
    started = true;
    LOG.info(
        "hfi embedded data plane started in {} ms (filter VMs {} ms): {}",
        startupCost.total().toMillis(),
        startupCost.filterCreation().toMillis(),
        listeners());
    return this;
  }

  /**
   * Where a client reaches {@code upstream} through the proxy, e.g. {@code http://127.0.0.1:41234}.
   */
  public URI proxyUri(String upstream) {
    if (!config.upstreams().containsKey(upstream)) {
      throw new TestkitException(
          Code.INVALID_CONFIGURATION,
          "proxyUri(\""
              + upstream
              + "\"): no such upstream; known: "
              + config.upstreams().keySet());
    }
    requireStarted();
    ServerConnector connector = connectors.get(upstream);
    String host = connector.getHost();
    if (host == null || host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    return URI.create(
        "http://"
            + (host.contains(":") ? "[" + host + "]" : host)
            + ":"
            + connector.getLocalPort());
  }

  @Override
  public RequestJournal journal() {
    return journal;
  }

  @Override
  public Set<String> upstreams() {
    return Collections.unmodifiableSet(config.upstreams().keySet());
  }

  @Override
  public String node(String upstream) {
    return filterName(upstream);
  }

  @Override
  public Map<String, Long> metrics() {
    Map<String, Long> total = new TreeMap<>();
    for (WasmFilterHost f : filters.values()) {
      // Counters (*_total) add up over listeners; a gauge (the rule-set version) is one value
      // for the data plane, as Envoy keeps one stat that every VM sets.
      f.metrics()
          .snapshot()
          .forEach(
              (name, value) ->
                  total.merge(name, value, name.endsWith("_total") ? Long::sum : Math::max));
    }
    return total;
  }

  /** Injections of {@code policy} counted by every listener's filter. */
  @Override
  public long injections(String policy) {
    return sum("hfi.policy." + policy + ".injections_total");
  }

  /** Requests answered with an injected abort, over every listener. */
  @Override
  public long aborts() {
    return sum("hfi.faults.aborts_total");
  }

  /** Requests delayed, over every listener. */
  @Override
  public long delays() {
    return sum("hfi.faults.delays_total");
  }

  /** The rule-set version the filter of {@code upstream} has applied (0 before its first). */
  public long ruleSetVersion(String upstream) {
    return filter(upstream).metrics().value("hfi.ruleset.version");
  }

  /**
   * Every metric of the filter of {@code upstream} by its Envoy stat name ({@code
   * hfi.faults.aborts_total}, {@code hfi.policy.<name>.injections_total}, ...; see docs/FILTER.md).
   */
  public Map<String, Long> metrics(String upstream) {
    return filter(upstream).metrics().snapshot();
  }

  /** Time spent by {@link #start()}: module load (once per JVM), filter VMs, total. */
  public StartupCost startupCost() {
    requireStarted();
    return startupCost;
  }

  /**
   * Stops the listeners, then the filters (a request still delayed is let through) and threads,
   * then removes the filters' instances from the control plane's {@code /v1/nodes} (so they do not
   * linger as live, then stale); when the control plane cannot be reached they expire there.
   */
  @Override
  public synchronized void close() {
    started = false;
    if (server != null) {
      try {
        server.stop();
      } catch (Exception e) {
        LOG.warn("stopping the proxy listeners failed: {}", e.toString());
      }
    }
    filters.values().forEach(WasmFilterHost::close);
    if (callClient != null) {
      try {
        callClient.stop();
      } catch (Exception e) {
        LOG.warn("stopping the filter's http client failed: {}", e.toString());
      }
    }
    if (hostThreads != null) {
      hostThreads.shutdownNow();
    }
  }

  private void startFilters() {
    AtomicInteger n = new AtomicInteger();
    hostThreads =
        new ScheduledThreadPoolExecutor(
            2,
            r -> {
              Thread t = new Thread(r, "hfi-filter-host-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    hostThreads.setRemoveOnCancelPolicy(true);
    callClient = new HttpClient();
    callClient.setName("hfi-filter-calls");
    callClient.setIdleTimeout(MAX_POLL_TIMEOUT.toMillis() + 60_000);
    try {
      callClient.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the filter's http client", e);
    }
    WasmFilterHost.SharedData shared = new WasmFilterHost.SharedData();
    byte[] wasm = config.filterWasm() == null ? null : FilterModule.bytes(config.filterWasm());
    for (Upstream u : config.upstreams().values()) {
      try {
        filters.put(
            u.name(),
            new WasmFilterHost(
                pluginConfig(u.name()),
                EnvoyConfig.CONTROL_PLANE_CLUSTER,
                config.controlPlane(),
                shared,
                hostThreads,
                hostThreads,
                callClient,
                wasm,
                journal::accept));
      } catch (Exception e) {
        throw new TestkitException(
            Code.FILTER_NOT_FOUND,
            "cannot start hfi-filter.wasm for upstream \"" + u.name() + "\": " + e,
            e);
      }
    }
  }

  private String pluginConfig(String node) {
    return PluginConfig.forNode(
            EnvoyConfig.CONTROL_PLANE_CLUSTER,
            config.controlPlane().getAuthority(),
            node,
            config.pollTimeout().toMillis(),
            config.token())
        .withDeferStart(true)
        .withJournal(config.requestJournal())
        .toJson();
  }

  private void startServer() {
    QueuedThreadPool threads = new QueuedThreadPool(200, 8);
    threads.setName("hfi-proxy");
    server = new Server(threads);
    server.setStopTimeout(0);
    ContextHandlerCollection contexts = new ContextHandlerCollection();
    HttpConfiguration http = new HttpConfiguration();
    // The upstream's Server header passes through; Jetty adds none of its own.
    http.setSendServerVersion(false);
    for (Upstream u : config.upstreams().values()) {
      // HTTP/1.1, and HTTP/2 cleartext with prior knowledge (gRPC clients), as Envoy's listeners.
      ServerConnector connector =
          new ServerConnector(
              server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
      String connectorName = "hfi-" + u.name();
      connector.setName(connectorName);
      connector.setHost(config.bindAddress());
      connector.setPort(u.listenPort());
      connector.setIdleTimeout(IDLE_TIMEOUT_MS);
      server.addConnector(connector);
      connectors.put(u.name(), connector);

      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      context.setVirtualHosts(new String[] {"@" + connectorName});
      ServletHolder proxy =
          new ServletHolder(
              new FilteringProxyServlet(u.uri(), filters.get(u.name()), config.trust));
      proxy.setAsyncSupported(true);
      proxy.setInitParameter("preserveHost", "true");
      // No overall exchange timeout, as Envoy's route timeout 0s: long streams are not cut.
      proxy.setInitParameter("timeout", "0");
      context.addServlet(proxy, "/*");
      contexts.addHandler(context);
    }
    server.setHandler(contexts);
    try {
      server.start();
    } catch (Exception e) {
      throw new TestkitException(
          Code.INVALID_CONFIGURATION,
          "cannot listen on "
              + listenersWanted()
              + " ("
              + e.getMessage()
              + "): choose free ports, or 0 for any free port",
          e);
    }
  }

  private void awaitAcks() {
    if (config.readyTimeout().isZero()) {
      return;
    }
    String problem =
        config.awaitFilters(1, config.readyTimeout(), "is the control plane running there?");
    if (problem != null) {
      throw new TestkitException(Code.NOT_STARTED, problem);
    }
  }

  private Map<String, String> listeners() {
    Map<String, String> out = new LinkedHashMap<>();
    config.upstreams().values().forEach(u -> out.put(proxyUri(u.name()) + "", u.uri() + ""));
    return out;
  }

  private List<String> listenersWanted() {
    List<String> out = new ArrayList<>();
    config.upstreams().values().forEach(u -> out.add(config.bindAddress() + ":" + u.listenPort()));
    return out;
  }

  private long sum(String metric) {
    long total = 0;
    for (WasmFilterHost f : filters.values()) {
      total += f.metrics().value(metric);
    }
    return total;
  }

  private String filterName(String upstream) {
    filter(upstream);
    return upstream;
  }

  private WasmFilterHost filter(String upstream) {
    WasmFilterHost f = filters.get(upstream);
    if (f == null) {
      throw new TestkitException(
          Code.INVALID_CONFIGURATION,
          "no upstream \"" + upstream + "\"; known: " + config.upstreams().keySet());
    }
    return f;
  }

  private void requireStarted() {
    if (!started) {
      throw new TestkitException(
          Code.NOT_STARTED, "EmbeddedDataPlane is not started: call start() first");
    }
  }

  /**
   * Configures an {@link EmbeddedDataPlane}; {@link #build()} checks every setting and says how to
   * fix a bad one. Not thread-safe.
   */
  public static final class Builder extends DataPlaneSettings<Builder> {
    private KeyStore trust;

    private Builder() {
      super(Duration.ofSeconds(30));
    }

    /**
     * {@inheritDoc} Here: instead of the JVM's default trust store. Either way the upstream's
     * certificate must name the host of its URI (HTTPS endpoint identification), and that host is
     * sent as SNI; the client's {@code Host} header is still passed through unchanged.
     */
    @Override
    public Builder withTrustedCa(Path pemFile) {
      return super.withTrustedCa(pemFile);
    }

    /**
     * {@inheritDoc} Here it runs on Chicory's interpreter (the shipped filter runs compiled to JVM
     * bytecode at build time, 10-50 times faster).
     */
    @Override
    public Builder withFilterWasm(Path wasm) {
      return super.withFilterWasm(wasm);
    }

    @Override
    public EmbeddedDataPlane start() {
      return build().start();
    }

    /** Checks the settings and builds a data plane (not started). */
    public EmbeddedDataPlane build() {
      List<String> errors = problems();
      trust = null;
      if (trustedCa() != null) {
        try {
          trust = PemTrust.load(trustedCa());
        } catch (IllegalArgumentException e) {
          errors.add(
              "withTrustedCa(" + trustedCa() + "): " + e.getMessage() + "; pass a PEM CA bundle");
        }
      }
      if (!errors.isEmpty()) {
        throw new TestkitException(Code.INVALID_CONFIGURATION, String.join("; ", errors));
      }
      return new EmbeddedDataPlane(this);
    }
  }
}
