package dev.hfi.testkit;

import dev.hfi.controlplane.HfiClient;
import dev.hfi.testkit.TestkitException.Code;
import dev.hfi.testkit.internal.EnvoyAdmin;
import dev.hfi.testkit.internal.EnvoyWaitStrategy;
import dev.hfi.testkit.internal.FilterModule;
import dev.hfi.testkit.internal.FreePorts;
import dev.hfi.testkit.internal.HfiClientAcks;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A real Envoy in a container, running {@code hfi-filter.wasm} in front of one or more upstreams.
 *
 * <p>At start the container gets a generated {@code envoy.yaml} (see {@link EnvoyConfig}) and the
 * filter copied in; Envoy starts with {@code -c /etc/envoy/envoy.yaml}, the configured log level
 * and concurrency, and hot restart disabled (so several Envoys can share the host network). It is
 * ready when Envoy's admin {@code /ready} answers {@code LIVE} and then the {@link FilterAckCheck}
 * given with {@link #withControlPlane} reports that the filter of every upstream's node has ACKed
 * the control plane's current rule set.
 *
 * <p>Networking: with {@link #withHostNetwork()} (recommended where the Docker daemon runs on this
 * machine) Envoy binds 127.0.0.1 on free host ports and reaches the control plane and upstreams at
 * the addresses given. Otherwise each listener and the admin interface are exposed as mapped ports,
 * and {@code localhost}/loopback addresses in the control-plane and upstream URIs are rewritten to
 * {@code host.docker.internal} (mapped to Docker's host gateway), so those servers must listen on
 * an address the container can reach.
 *
 * <p>Not thread-safe while being configured; {@link #proxyUri} and {@link #adminUri} may be called
 * from any thread once started.
 *
 * <pre>{@code
 * try (EnvoyContainer envoy = new EnvoyContainer()
 *     .withHostNetwork()
 *     .withControlPlane(hfiClient)                     // HfiClient of the control plane
 *     .withUpstream("orders", URI.create("http://127.0.0.1:8081"))) {
 *   envoy.start();
 *   URI orders = envoy.proxyUri("orders");   // send the client under test here
 * }
 * }</pre>
 */
public class EnvoyContainer extends GenericContainer<EnvoyContainer> implements DataPlane {

  /** The Envoy release used unless another image is given. */
  public static final DockerImageName DEFAULT_IMAGE =
      DockerImageName.parse("envoyproxy/envoy:v" + EnvoyBinary.ENVOY_VERSION);

  /** Classpath resource shipped by {@code dev.hfi:hfi-wasm-filter}: the default filter. */
  public static final String FILTER_RESOURCE = "/dev/hfi/filter/hfi-filter.wasm";

  /** Where the generated configuration goes inside the container. */
  public static final String CONFIG_PATH = "/etc/envoy/envoy.yaml";

  /** Where the filter goes inside the container. */
  public static final String FILTER_PATH = EnvoyConfig.DEFAULT_FILTER_PATH;

  /** First listener port inside the container (bridge networking); one more per upstream. */
  public static final int FIRST_LISTENER_PORT = 10000;

  static final String DOCKER_HOST_ALIAS = "host.docker.internal";

  private static final Set<String> LOG_LEVELS =
      Set.of("trace", "debug", "info", "warning", "warn", "error", "critical", "off");
  private static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

  private record UpstreamSpec(String node, URI uri) {}

  private final Map<String, UpstreamSpec> upstreams = new LinkedHashMap<>();
  private final Map<String, Transferable> copiedFiles = new LinkedHashMap<>();
  private URI controlPlane;
  private FilterAckCheck ackCheck;
  private HfiClient client;
  private String controlPlaneToken;
  private Path filterWasm;
  private String logLevel = "info";
  private int concurrency = 2;
  private int adminPort;
  private Duration pollTimeout = EnvoyConfig.DEFAULT_POLL_TIMEOUT;
  private volatile EnvoyConfig config;

  /** Envoy {@link #DEFAULT_IMAGE}. */
  public EnvoyContainer() {
    this(DEFAULT_IMAGE);
  }

  /** An {@code envoyproxy/envoy} image, e.g. {@code "envoyproxy/envoy:v1.35.6"}. */
  public EnvoyContainer(String image) {
    this(DockerImageName.parse(image));
  }

  /**
   * An {@code envoyproxy/envoy} image, or another one declared compatible with {@code
   * DockerImageName.parse("my/envoy").asCompatibleSubstituteFor("envoyproxy/envoy")}.
   */
  public EnvoyContainer(DockerImageName image) {
    super(image);
    image.assertCompatibleWith(DockerImageName.parse(DEFAULT_IMAGE.getUnversionedPart()));
    setWaitStrategy(
        new EnvoyWaitStrategy(
                this::adminUri, this::ackCheck, this::nodes, () -> String.valueOf(controlPlane))
            .withStartupTimeout(DEFAULT_STARTUP_TIMEOUT));
  }

  /**
   * The control plane this client talks to (its {@link HfiClient#baseUri()}, as reachable from this
   * machine) is the one the filter long-polls; readiness waits, over the client's event stream,
   * until every upstream's node has one filter instance per Envoy worker ({@link #withConcurrency})
   * plus the main thread's that applied the control plane's current rule set. This or {@link
   * #withControlPlane(URI, FilterAckCheck)} is required.
   */
  public EnvoyContainer withControlPlane(HfiClient client) {
    if (client == null) {
      throw invalid("withControlPlane: client is null; pass the HfiClient of the control plane");
    }
    checkHttpUri("withControlPlane", client.baseUri());
    this.controlPlane = client.baseUri();
    this.client = client;
    this.ackCheck = null;
    return this;
  }

  /**
   * The control plane the filter long-polls, as reachable from this machine (e.g. {@code
   * http://127.0.0.1:8080}), and how to learn that the filter has ACKed its rule set.
   */
  public EnvoyContainer withControlPlane(URI controlPlane, FilterAckCheck ackCheck) {
    checkHttpUri("withControlPlane", controlPlane);
    if (ackCheck == null) {
      throw invalid(
          "withControlPlane: ackCheck is null; pass one that waits for the control plane's ACKs,"
              + " or (nodes, timeout) -> true to be ready as soon as Envoy is LIVE");
    }
    this.controlPlane = controlPlane;
    this.ackCheck = ackCheck;
    this.client = null;
    return this;
  }

  /** Bearer token the filter sends to a control plane that requires one. */
  public EnvoyContainer withControlPlaneToken(String token) {
    this.controlPlaneToken = token;
    return this;
  }

  /** Proxies {@code upstream} on a listener of its own; its filter reports as node {@code name}. */
  public EnvoyContainer withUpstream(String name, URI upstream) {
    return withUpstream(name, name, upstream);
  }

  /** Proxies {@code upstream} on a listener of its own; its filter reports as {@code node}. */
  public EnvoyContainer withUpstream(String name, String node, URI upstream) {
    checkHttpUri("withUpstream(\"" + name + "\")", upstream);
    if (upstreams.containsKey(name)) {
      throw invalid("withUpstream: upstream \"" + name + "\" added twice; give each its own name");
    }
    upstreams.put(name, new UpstreamSpec(node, upstream));
    return this;
  }

  /** Uses this {@code hfi-filter.wasm} instead of the one on the classpath. */
  public EnvoyContainer withFilterWasm(Path wasm) {
    this.filterWasm = wasm;
    return this;
  }

  /** Envoy's {@code --log-level}: trace, debug, info (default), warning, error, critical, off. */
  public EnvoyContainer withLogLevel(String level) {
    if (level == null || !LOG_LEVELS.contains(level)) {
      throw invalid(
          "withLogLevel(\""
              + level
              + "\"): not an Envoy log level; use one of "
              + sorted(LOG_LEVELS));
    }
    this.logLevel = level;
    return this;
  }

  /** Envoy's {@code --concurrency}, the number of worker threads (each runs its own filter VM). */
  public EnvoyContainer withConcurrency(int workers) {
    if (workers < 1) {
      throw invalid("withConcurrency(" + workers + "): Envoy needs at least 1 worker thread");
    }
    this.concurrency = workers;
    return this;
  }

  /**
   * Admin port: inside the container with bridge networking (default 9901), on the host with host
   * networking (default: a free port).
   */
  public EnvoyContainer withAdminPort(int port) {
    if (port < 1 || port > 65535) {
      throw invalid("withAdminPort(" + port + "): must be between 1 and 65535");
    }
    this.adminPort = port;
    return this;
  }

  /** How long the control plane holds each of the filter's long polls; default 30 s. */
  public EnvoyContainer withPollTimeout(Duration timeout) {
    this.pollTimeout = timeout;
    return this;
  }

  /** Shares the host's network: Envoy binds 127.0.0.1 on free ports, nothing is mapped. */
  public EnvoyContainer withHostNetwork() {
    return withNetworkMode("host");
  }

  /**
   * Where a client reaches {@code upstreamName} through Envoy, e.g. {@code http://localhost:32768}.
   */
  public URI proxyUri(String upstreamName) {
    EnvoyConfig generated = started();
    for (EnvoyConfig.Upstream upstream : generated.upstreams()) {
      if (upstream.name().equals(upstreamName)) {
        return URI.create("http://" + getHost() + ":" + hostPort(upstream.listenPort()));
      }
    }
    throw invalid(
        "proxyUri(\"" + upstreamName + "\"): no such upstream; known: " + upstreams.keySet());
  }

  /** Envoy's admin interface (stats, clusters, config_dump). */
  public URI adminUri() {
    return URI.create("http://" + getHost() + ":" + hostPort(started().adminPort()));
  }

  /** The configuration generated at the last start. */
  public EnvoyConfig envoyConfig() {
    return started();
  }

  @Override
  protected void configure() {
    if (controlPlane == null) {
      throw invalid(
          "EnvoyContainer has no control plane: call withControlPlane(hfiClient) or"
              + " withControlPlane(uri, ackCheck) before start()");
    }
    boolean hostNetwork = isHostNetwork();
    // With host networking every port must be free on the host; picked together so they differ.
    Iterator<Integer> free =
        hostNetwork ? FreePorts.pick(upstreams.size() + 1).iterator() : Collections.emptyIterator();
    int admin =
        adminPort != 0 ? adminPort : hostNetwork ? free.next() : EnvoyConfig.DEFAULT_ADMIN_PORT;
    EnvoyConfig.Builder builder =
        EnvoyConfig.builder()
            .withListenAddress(hostNetwork ? "127.0.0.1" : "0.0.0.0")
            // Bridge networking: only the port mapped to the host reaches the admin interface.
            .withAdminAddress(hostNetwork ? "127.0.0.1" : "0.0.0.0")
            .withAdminPort(admin)
            .withControlPlane(reachable(controlPlane.getHost()), port(controlPlane))
            .withControlPlaneToken(controlPlaneToken)
            .withPollTimeout(pollTimeout)
            .withFilterPath(FILTER_PATH);
    int nextPort = FIRST_LISTENER_PORT;
    for (Map.Entry<String, UpstreamSpec> e : upstreams.entrySet()) {
      URI uri = e.getValue().uri();
      int listenPort = hostNetwork ? free.next() : nextPort++;
      builder.withUpstream(
          e.getKey(), e.getValue().node(), listenPort, reachable(uri.getHost()), port(uri));
    }
    EnvoyConfig generated = builder.build();

    List<Integer> exposed = new ArrayList<>();
    if (!hostNetwork) {
      exposed.add(generated.adminPort());
      generated.upstreams().forEach(u -> exposed.add(u.listenPort()));
      String gateway = DOCKER_HOST_ALIAS + ":host-gateway";
      if (!getExtraHosts().contains(gateway)) {
        withExtraHost(DOCKER_HOST_ALIAS, "host-gateway");
      }
    }
    setExposedPorts(exposed);
    withCommand(
        "-c",
        CONFIG_PATH,
        "--log-level",
        logLevel,
        "--concurrency",
        String.valueOf(concurrency),
        "--disable-hot-restart");
    copy(CONFIG_PATH, Transferable.of(generated.toYaml()));
    copy(FILTER_PATH, Transferable.of(FilterModule.bytes(filterWasm)));
    config = generated;
  }

  /** Files copied into the container at the last start, by path inside the container. */
  Map<String, Transferable> copiedFiles() {
    return Collections.unmodifiableMap(copiedFiles);
  }

  Set<String> nodes() {
    Set<String> nodes = new LinkedHashSet<>();
    upstreams.values().forEach(u -> nodes.add(u.node()));
    return nodes;
  }

  @Override
  public Set<String> upstreams() {
    return Collections.unmodifiableSet(upstreams.keySet());
  }

  @Override
  public String node(String upstream) {
    UpstreamSpec spec = upstreams.get(upstream);
    if (spec == null) {
      throw invalid("node(\"" + upstream + "\"): no such upstream; known: " + upstreams.keySet());
    }
    return spec.node();
  }

  /** Stops the container, as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  @Override
  public Map<String, Long> metrics() {
    return new EnvoyAdmin(adminUri()).hfiMetrics();
  }

  private FilterAckCheck ackCheck() {
    return ackCheck != null ? ackCheck : new HfiClientAcks(client, concurrency + 1);
  }

  private void copy(String path, Transferable file) {
    copiedFiles.put(path, file);
    withCopyToContainer(file, path);
  }

  private EnvoyConfig started() {
    EnvoyConfig generated = config;
    if (generated == null) {
      throw new TestkitException(
          Code.NOT_STARTED, "EnvoyContainer is not started: call start() first");
    }
    return generated;
  }

  private int hostPort(int port) {
    return isHostNetwork() ? port : getMappedPort(port);
  }

  private boolean isHostNetwork() {
    return "host".equals(getNetworkMode());
  }

  /** The host as Envoy must address it: loopback means "this machine", seen from a container. */
  private String reachable(String host) {
    if (isHostNetwork()) {
      return host;
    }
    boolean loopback =
        host.equals("localhost")
            || host.startsWith("127.")
            || host.equals("[::1]")
            || host.equals("::1");
    return loopback ? DOCKER_HOST_ALIAS : host;
  }

  private static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : 80;
  }

  private static void checkHttpUri(String what, URI uri) {
    if (uri == null
        || !"http".equals(uri.getScheme())
        || uri.getHost() == null
        || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
      throw invalid(
          what
              + ": \""
              + uri
              + "\" must be a plain http URI with a host and no path, e.g."
              + " http://127.0.0.1:8080");
    }
  }

  private static List<String> sorted(Set<String> values) {
    List<String> list = new ArrayList<>(values);
    Collections.sort(list);
    return list;
  }

  private static TestkitException invalid(String message) {
    return new TestkitException(Code.INVALID_CONFIGURATION, message);
  }
}
