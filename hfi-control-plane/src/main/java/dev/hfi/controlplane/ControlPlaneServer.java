package dev.hfi.controlplane;

import dev.hfi.client.HfiException;
import dev.hfi.client.RuleSet;
import dev.hfi.client.internal.Limits;
import dev.hfi.controlplane.internal.Admission;
import dev.hfi.controlplane.internal.DaemonThreads;
import dev.hfi.controlplane.internal.Distributor;
import dev.hfi.controlplane.internal.EventHub;
import dev.hfi.controlplane.internal.NodeRegistry;
import dev.hfi.controlplane.internal.PolicyExpirer;
import dev.hfi.controlplane.internal.SseStream;
import dev.hfi.controlplane.internal.http.AccessLog;
import dev.hfi.controlplane.internal.http.ApiRoutes;
import dev.hfi.controlplane.internal.http.ApiServer;
import dev.hfi.controlplane.internal.http.PolicyHandlers;
import dev.hfi.controlplane.internal.http.StatusHandlers;
import dev.hfi.controlplane.internal.http.StreamHandlers;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HFI control plane: the REST API on sparkjava, the rule-set distributor (SSE and long poll),
 * data-plane instance tracking, the event stream, health and metrics, in one Jetty server.
 *
 * <p>The server does not own its store: closing the server leaves the store open. It is
 * thread-safe; {@link #start()} and {@link #close()} are meant to be called once each. Servers in
 * one JVM share no state (none is kept in static fields, Spark's included), so any number may start
 * in parallel, beside a Spark application of the user's own.
 *
 * <pre>{@code
 * try (PolicyStore store = new MemoryPolicyStore();
 *     ControlPlaneServer server = ControlPlaneServer.builder()
 *         .withPort(0)                       // a free port
 *         .withStore(store)
 *         .build()
 *         .start()) {
 *   URI api = server.uri();
 * }
 * }</pre>
 */
public final class ControlPlaneServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneServer.class);
  private static final long HEARTBEAT_SECONDS = 15;

  private final Builder config;
  private final PrometheusMeterRegistry metrics =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ScheduledExecutorService scheduler =
      Executors.newScheduledThreadPool(1, DaemonThreads.named("hfi-control-plane"));
  private final ScheduledExecutorService compiler =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("hfi-distributor"));
  private final EventHub events = new EventHub();
  private final NodeRegistry nodes;
  private final Distributor distributor;
  private AutoCloseable expiry;
  private ApiServer http;
  private int port = -1;

  private ControlPlaneServer(Builder b) {
    this.config = b;
    this.nodes = new NodeRegistry(events, scheduler, b.clock, b.staleAfter, b.nodeExpiry);
    this.distributor = new Distributor(b.store, events, compiler);
  }

  /** A builder; {@link Builder#withStore} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts distributing, expiring (unless disabled) and serving; returns when the port is bound.
   *
   * @throws HfiException when the port cannot be bound or the store is unreachable
   */
  public synchronized ControlPlaneServer start() {
    if (http != null) {
      throw new IllegalStateException("already started");
    }
    distributor.start();
    if (config.expirer) {
      // Replicas sharing a store (etcd) elect the one that expires policies.
      expiry =
          config.store instanceof SharedPolicyStore shared
              ? shared.runWhileLeader("expirer", replicaName(), this::startExpirer)
              : startExpirer();
    }
    registerMetrics();
    List<ApiRoutes.Route> routes =
        ApiRoutes.table(
            new PolicyHandlers(
                config.store,
                new Admission(config.store, distributor, config.maxPolicies),
                config.maxBodyBytes),
            new StreamHandlers(distributor, events, nodes),
            new StatusHandlers(config.store, distributor, nodes, metrics));
    http = new ApiServer(routes, config.token, config.hostGuard(), new AccessLog(metrics));
    try {
      port = http.start(config.bindAddress, config.port);
    } catch (HfiException e) {
      close();
      throw e;
    }
    byte[] heartbeat = SseStream.comment("heartbeat");
    scheduler.scheduleAtFixedRate(
        () -> {
          distributor.heartbeat(heartbeat);
          events.heartbeat(heartbeat);
        },
        HEARTBEAT_SECONDS,
        HEARTBEAT_SECONDS,
        TimeUnit.SECONDS);
    LOG.info(
        "control plane listening on http://{}:{} (auth {})",
        config.bindAddress,
        port,
        config.token == null ? "off" : "on");
    return this;
  }

  private PolicyExpirer startExpirer() {
    PolicyExpirer expirer = new PolicyExpirer(config.store, scheduler, config.clock);
    expirer.start();
    return expirer;
  }

  /** {@code pid@host}: how the election shows this replica as leader. */
  private static String replicaName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return ProcessHandle.current().pid() + "@" + host;
  }

  private void registerMetrics() {
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    Gauge.builder("hfi.ruleset.version", distributor, d -> d.current().version())
        .description("Version of the rule set in force")
        .register(metrics);
    Gauge.builder("hfi.ruleset.rules", distributor, d -> d.current().ruleCount())
        .description("Rules in the rule set in force")
        .register(metrics);
    Gauge.builder("hfi.sse.subscribers", distributor, Distributor::subscribers)
        .tag("stream", "config")
        .register(metrics);
    Gauge.builder("hfi.sse.subscribers", events, EventHub::size)
        .tag("stream", "events")
        .register(metrics);
    Gauge.builder("hfi.longpoll.waiting", distributor, Distributor::waiting).register(metrics);
    Gauge.builder("hfi.dataplane.instances", nodes, n -> n.count(false))
        .tag("state", "live")
        .register(metrics);
    Gauge.builder("hfi.dataplane.instances", nodes, n -> n.count(true))
        .tag("state", "stale")
        .register(metrics);
  }

  /** The bound port (the chosen one when built with port 0). */
  public int port() {
    if (port < 0) {
      throw new IllegalStateException("not started");
    }
    return port;
  }

  /** {@code http://<bind address>:<port>}. */
  public java.net.URI uri() {
    String host =
        config.bindAddress.contains(":") ? "[" + config.bindAddress + "]" : config.bindAddress;
    if ("0.0.0.0".equals(host)) {
      host = "127.0.0.1";
    }
    return java.net.URI.create("http://" + host + ":" + port());
  }

  /** The current rule set. */
  public RuleSet ruleSet() {
    return distributor.current();
  }

  /** Stops serving and ends every stream; the store stays open. */
  @Override
  public synchronized void close() {
    distributor.close();
    events.closeAll();
    if (expiry != null) {
      try {
        expiry.close();
      } catch (Exception e) {
        LOG.warn("stopping the expirer failed: {}", e.toString());
      }
    }
    if (http != null) {
      http.close();
    }
    scheduler.shutdownNow();
    compiler.shutdownNow();
    metrics.close();
  }

  /** Configures a {@link ControlPlaneServer}; {@link #build()} checks the settings. */
  public static final class Builder {
    private int port = 8080;
    private String bindAddress = "127.0.0.1";
    private PolicyStore store;
    private String token;
    private Set<String> allowedHosts = Set.of();
    private long maxBodyBytes = 1024 * 1024;
    private int maxPolicies = Limits.DEFAULT_MAX_POLICIES;
    private Duration staleAfter = Duration.ofSeconds(90);
    private Duration nodeExpiry = Duration.ofMinutes(10);
    private boolean expirer = true;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** TCP port; 0 picks a free one. Default 8080. */
    public Builder withPort(int port) {
      this.port = port;
      return this;
    }

    /** Address to bind; default {@code 127.0.0.1} (use {@code 0.0.0.0} for every interface). */
    public Builder withBindAddress(String bindAddress) {
      this.bindAddress = bindAddress;
      return this;
    }

    /** The policy store (required). */
    public Builder withStore(PolicyStore store) {
      this.store = store;
      return this;
    }

    /**
     * Require {@code Authorization: Bearer <token>} on every route but /healthz and /readyz; null =
     * off.
     */
    public Builder withToken(String token) {
      this.token = token;
      return this;
    }

    /**
     * Host names the API answers to besides {@code localhost}, {@code 127.0.0.1}, {@code ::1} and
     * the bind address, when it runs without a token on a loopback address: any other Host gets
     * 403, so that a web page cannot reach it by DNS rebinding. Ignored with a token or a
     * non-loopback bind address (then the network, or the token, is the boundary).
     */
    public Builder withAllowedHosts(Collection<String> hosts) {
      this.allowedHosts =
          hosts == null
              ? Set.of()
              : hosts.stream()
                  .map(h -> h.trim().toLowerCase(Locale.ROOT))
                  .collect(Collectors.toUnmodifiableSet());
      return this;
    }

    /** The Host names the guard lets through, or null when there is no guard. */
    Set<String> hostGuard() {
      boolean loopback;
      try {
        loopback = InetAddress.getByName(bindAddress).isLoopbackAddress();
      } catch (UnknownHostException e) {
        loopback = false;
      }
      if (token != null || !loopback) {
        return null;
      }
      Set<String> hosts = new HashSet<>(allowedHosts);
      hosts.add("localhost");
      hosts.add("127.0.0.1");
      hosts.add("::1");
      hosts.add(bindAddress.toLowerCase(Locale.ROOT));
      return Set.copyOf(hosts);
    }

    /** Largest accepted request body; default 1 MiB. Larger ones get 413. */
    public Builder withMaxBodyBytes(long maxBodyBytes) {
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /**
     * The most policies the API stores; default {@value Limits#DEFAULT_MAX_POLICIES}, sized so that
     * every data plane applies the largest rule set within the limits with room to spare
     * (docs/API_REFERENCE.md, "Limits"). Creating one more is a 400 naming the limit; updates and
     * deletes always pass. Raise it only with smaller policies in mind: the rule-set limits stay.
     */
    public Builder withMaxPolicies(int maxPolicies) {
      this.maxPolicies = maxPolicies;
      return this;
    }

    /** How long an instance may go without polling before it is stale; default 90s. */
    public Builder withStaleAfter(Duration staleAfter) {
      this.staleAfter = staleAfter;
      return this;
    }

    /**
     * How long an instance may go without polling before it is dropped from {@code /v1/nodes}
     * (event {@code removed}, action {@code expired}); default 10 min. It goes stale first when
     * this is longer than {@link #withStaleAfter}. Data planes that shut down cleanly leave at once
     * through {@code DELETE /v1/nodes/{node}/instances/{instance}}.
     */
    public Builder withNodeExpiry(Duration nodeExpiry) {
      this.nodeExpiry = nodeExpiry;
      return this;
    }

    /** Whether this replica deletes expired policies (default true; only the leader should). */
    public Builder withExpirer(boolean enabled) {
      this.expirer = enabled;
      return this;
    }

    /** Clock for last-seen times and expiry; default the system clock. */
    public Builder withClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Checks the settings and builds a server (not started). */
    public ControlPlaneServer build() {
      if (store == null) {
        throw new IllegalArgumentException(
            "a store is required: withStore(new MemoryPolicyStore()) or another PolicyStore");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "port must be in 0..65535 (0 = any free port), got " + port);
      }
      if (bindAddress == null || bindAddress.isBlank()) {
        throw new IllegalArgumentException(
            "bind address must not be empty; use 127.0.0.1 or 0.0.0.0");
      }
      if (token != null && token.isBlank()) {
        throw new IllegalArgumentException("token must not be blank; pass null to turn auth off");
      }
      if (maxBodyBytes < 1024) {
        throw new IllegalArgumentException(
            "maxBodyBytes must be at least 1024, got " + maxBodyBytes);
      }
      if (maxPolicies < 1) {
        throw new IllegalArgumentException("maxPolicies must be at least 1, got " + maxPolicies);
      }
      if (staleAfter == null || staleAfter.toMillis() < 1) {
        throw new IllegalArgumentException("staleAfter must be positive, got " + staleAfter);
      }
      if (nodeExpiry == null || nodeExpiry.toMillis() < 1) {
        throw new IllegalArgumentException("nodeExpiry must be positive, got " + nodeExpiry);
      }
      return new ControlPlaneServer(this);
    }
  }
}
