package dev.hfi.testcontainers;

import dev.hfi.client.HfiClient;
import dev.hfi.testcontainers.internal.EnvoyWaitStrategy;
import dev.hfi.testcontainers.internal.HostRoute;
import dev.hfi.testkit.DataPlane;
import dev.hfi.testkit.EnvoyBinary;
import dev.hfi.testkit.EnvoyConfig;
import dev.hfi.testkit.FilterAckCheck;
import dev.hfi.testkit.RequestJournal;
import dev.hfi.testkit.TestkitException;
import dev.hfi.testkit.TestkitException.Code;
import dev.hfi.testkit.internal.EnvoyAdmin;
import dev.hfi.testkit.internal.EnvoySettings;
import dev.hfi.testkit.internal.FilterModule;
import dev.hfi.testkit.internal.HfiClientAcks;
import dev.hfi.testkit.internal.JournalLines;
import dev.hfi.testsupport.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame;
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
 * <p>Networking: on a Docker network (a Testcontainers {@link Network}, or the default bridge) each
 * listener and the admin interface are exposed as mapped ports. Names of other containers on the
 * network (their aliases) are used as given. A {@code localhost}/loopback address in the
 * control-plane or upstream URIs means a server in this JVM or on this machine: it is reached
 * through a TCP forwarder in this JVM that listens on the network's gateway address (Docker Engine
 * on Linux) or, where the gateway is not an address of this machine (Docker Desktop), on every
 * interface as {@code host.docker.internal}; the control plane's {@code :authority}, SNI and
 * certificate checks keep the name given. With {@link #withHostNetwork()} Envoy binds 127.0.0.1 on
 * free host ports and reaches everything at the addresses given (Linux only).
 *
 * <p>Settings are checked when the container starts, before Docker is asked for anything: every bad
 * one is named in one {@link TestkitException} with code {@code INVALID_CONFIGURATION}; the
 * generated configuration's own checks ({@link EnvoyConfig}) follow in {@code configure()}. Not
 * thread-safe while being configured; {@link #proxyUri} and {@link #adminUri} may be called from
 * any thread once started.
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

  private static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

  /** How long Envoy gets to stop on SIGTERM (its filter's goodbye takes at most 2 s). */
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(EnvoyContainer.class);

  private static final String TRUSTED_CA_PATH = "/etc/envoy/hfi-trusted-ca.pem";

  private record UpstreamSpec(String node, URI uri, int listenPort) {}

  private final Map<String, UpstreamSpec> upstreams = new LinkedHashMap<>();
  private final Map<String, Transferable> copiedFiles = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private boolean controlPlaneGiven;
  private URI controlPlane;
  private FilterAckCheck ackCheck;
  private HfiClient client;
  private String controlPlaneToken;
  private Path filterWasm;
  private String logLevel = "info";
  private int concurrency = 2;
  private int adminPort;
  private Duration pollTimeout = EnvoyConfig.DEFAULT_POLL_TIMEOUT;
  private Path trustedCa;
  private volatile EnvoyConfig config;
  private HostRoute hostRoute;
  private HfiClient ownedClient;
  private boolean requestJournal = true;

  /** Read from the container's log stream, up to a barrier the filter writes on request. */
  private final RequestJournal journal = new RequestJournal(this::journalBarrier, this::upstreamOf);

  /** Barrier tokens seen in the log stream and not yet waited for. Guarded by itself. */
  private final Set<String> barriers = new HashSet<>();

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
    withLogConsumer(this::onLogLine);
  }

  /**
   * The control plane this client talks to (its {@link HfiClient#baseUri()}, as reachable from this
   * machine) is the one the filter long-polls; readiness waits, over the client's event stream,
   * until every upstream's node has one filter instance per Envoy worker ({@link #withConcurrency})
   * plus the main thread's that applied the control plane's current rule set. This or {@link
   * #withControlPlane(URI, FilterAckCheck)} is required.
   */
  public EnvoyContainer withControlPlane(HfiClient client) {
    controlPlaneGiven = true;
    if (client == null) {
      problems.add("withControlPlane: client is null; pass the HfiClient of the control plane");
    } else if (checkHttpUri("withControlPlane", client.baseUri())) {
      this.controlPlane = client.baseUri();
      this.client = client;
      this.ackCheck = null;
    }
    return this;
  }

  /**
   * The control plane the filter long-polls at {@code controlPlane} as the container sees it (e.g.
   * {@code http://hfi-control-plane:8080}, a network alias of the control-plane container), while
   * readiness waits for the ACKs through {@code client}, which talks to the same control plane from
   * this machine (e.g. through a mapped port). The container stack of {@code hfi-junit} uses this
   * with {@link HfiControlPlaneContainer}.
   */
  public EnvoyContainer withControlPlane(URI controlPlane, HfiClient client) {
    controlPlaneGiven = true;
    boolean ok = checkHttpUri("withControlPlane", controlPlane);
    if (client == null) {
      problems.add(
          "withControlPlane: client is null; pass an HfiClient that reaches the same control"
              + " plane from this machine");
    } else if (ok) {
      this.controlPlane = controlPlane;
      this.client = client;
      this.ackCheck = null;
    }
    return this;
  }

  /** Same as {@link #withControlPlane(URI, HfiClient)} for a control-plane container. */
  public EnvoyContainer withControlPlane(HfiControlPlaneContainer controlPlane, HfiClient client) {
    return withControlPlane(controlPlane.networkUri(), client);
  }

  /**
   * The control plane the filter long-polls, as reachable from this machine (e.g. {@code
   * http://127.0.0.1:8080}), and how to learn that the filter has ACKed its rule set.
   */
  public EnvoyContainer withControlPlane(URI controlPlane, FilterAckCheck ackCheck) {
    controlPlaneGiven = true;
    boolean ok = checkHttpUri("withControlPlane", controlPlane);
    if (ackCheck == null) {
      problems.add(
          "withControlPlane: ackCheck is null; pass one that waits for the control plane's ACKs,"
              + " or (nodes, timeout) -> true to be ready as soon as Envoy is LIVE");
    } else if (ok) {
      this.controlPlane = controlPlane;
      this.ackCheck = ackCheck;
      this.client = null;
    }
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

  /**
   * Proxies {@code upstream} ({@code http} or {@code https}) on a listener of its own; its filter
   * reports as {@code node}.
   */
  public EnvoyContainer withUpstream(String name, String node, URI upstream) {
    return withUpstream(name, node, upstream, 0);
  }

  private EnvoyContainer withUpstream(String name, String node, URI upstream, int listenPort) {
    if (upstreams.containsKey(name)) {
      problems.add("withUpstream: upstream \"" + name + "\" added twice; give each its own name");
    } else if (checkUpstreamUri("withUpstream(\"" + name + "\")", upstream)) {
      upstreams.put(name, new UpstreamSpec(node, upstream, listenPort));
    }
    return this;
  }

  /**
   * PEM bundle (on this machine) of the CAs that {@code https} upstreams' certificates must chain
   * to; copied into the container. Default: the image's system bundle.
   */
  public EnvoyContainer withTrustedCa(Path pemFile) {
    if (pemFile == null || !java.nio.file.Files.isReadable(pemFile)) {
      problems.add("withTrustedCa(" + pemFile + "): not a readable file; pass a PEM CA bundle");
    } else {
      this.trustedCa = pemFile;
    }
    return this;
  }

  /** Uses this {@code hfi-filter.wasm} instead of the one on the classpath. */
  public EnvoyContainer withFilterWasm(Path wasm) {
    this.filterWasm = wasm;
    return this;
  }

  /** Envoy's {@code --log-level}: trace, debug, info (default), warning, error, critical, off. */
  public EnvoyContainer withLogLevel(String level) {
    String bad = EnvoySettings.logLevelProblem(level);
    if (bad != null) {
      problems.add(bad);
    } else {
      this.logLevel = level;
    }
    return this;
  }

  /** Envoy's {@code --concurrency}, the number of worker threads (each runs its own filter VM). */
  public EnvoyContainer withConcurrency(int workers) {
    String bad = EnvoySettings.concurrencyProblem(workers);
    if (bad != null) {
      problems.add(bad);
    } else {
      this.concurrency = workers;
    }
    return this;
  }

  /**
   * Admin port: inside the container with bridge networking (default 9901), on the host with host
   * networking (default: a free port).
   */
  public EnvoyContainer withAdminPort(int port) {
    if (port < 1 || port > 65535) {
      problems.add("withAdminPort(" + port + "): must be between 1 and 65535");
    } else {
      this.adminPort = port;
    }
    return this;
  }

  /** How long the control plane holds each of the filter's long polls; default 30 s. */
  public EnvoyContainer withPollTimeout(Duration timeout) {
    this.pollTimeout = timeout;
    return this;
  }

  /**
   * Whether the filters journal every request ({@link #journal()}); default on (the filter's own
   * default, for production proxies, is off).
   */
  public EnvoyContainer withRequestJournal(boolean on) {
    this.requestJournal = on;
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

  /**
   * Checks every setting, then starts the container as {@link GenericContainer#start()} does.
   *
   * @throws TestkitException {@code INVALID_CONFIGURATION} naming every bad setting, before Docker
   *     is asked for anything
   */
  @Override
  public void start() {
    List<String> found = settingProblems();
    if (!found.isEmpty()) {
      throw invalid(String.join("; ", found));
    }
    super.start();
  }

  @Override
  protected void configure() {
    List<String> found = settingProblems();
    if (controlPlane == null) {
      throw invalid(String.join("; ", found));
    }
    boolean hostNetwork = isHostNetwork();
    if (!hostNetwork && hostRoute == null && needsHostRoute()) {
      hostRoute = hostRoute();
    }
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
            .withControlPlane(controlPlane.getHost(), port(controlPlane))
            .withControlPlaneToken(controlPlaneToken)
            .withPollTimeout(pollTimeout)
            .withRequestJournal(requestJournal)
            .withFilterPath(FILTER_PATH);
    connectThroughHost(builder, controlPlane);
    if (trustedCa != null) {
      builder.withTrustedCa(TRUSTED_CA_PATH);
    }
    int nextPort = FIRST_LISTENER_PORT;
    for (Map.Entry<String, UpstreamSpec> e : upstreams.entrySet()) {
      UpstreamSpec spec = e.getValue();
      int listenPort =
          hostNetwork ? free.next() : spec.listenPort() != 0 ? spec.listenPort() : nextPort++;
      builder.withUpstream(e.getKey(), spec.node(), listenPort, spec.uri());
      connectThroughHost(builder, spec.uri());
    }
    EnvoyConfig generated = null;
    try {
      generated = builder.build();
    } catch (TestkitException e) {
      if (found.isEmpty() || e.code() != Code.INVALID_CONFIGURATION) {
        throw e;
      }
      found.add(e.getMessage());
    }
    if (!found.isEmpty()) {
      throw invalid(String.join("; ", found));
    }

    List<Integer> exposed = new ArrayList<>();
    if (!hostNetwork) {
      exposed.add(generated.adminPort());
      generated.upstreams().forEach(u -> exposed.add(u.listenPort()));
      String gateway = DOCKER_HOST_ALIAS + ":host-gateway";
      if (hostRoute != null && hostRoute.needsHostGateway() && !getExtraHosts().contains(gateway)) {
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
    if (trustedCa != null) {
      try {
        copy(TRUSTED_CA_PATH, Transferable.of(java.nio.file.Files.readAllBytes(trustedCa)));
      } catch (java.io.IOException e) {
        throw invalid("withTrustedCa(" + trustedCa + "): cannot read it: " + e);
      }
    }
    config = generated;
  }

  private List<String> settingProblems() {
    List<String> found = new ArrayList<>(problems);
    if (!controlPlaneGiven) {
      found.add(
          "EnvoyContainer has no control plane: call withControlPlane(hfiClient) or"
              + " withControlPlane(uri, ackCheck) before start()");
    }
    return found;
  }

  /**
   * How this container reaches servers on this machine's loopback; package-private so that unit
   * tests can configure a container without Docker.
   */
  HostRoute hostRoute() {
    Network network = getNetwork();
    String name = network != null ? network.getId() : getNetworkMode();
    return HostRoute.forNetwork(name == null || name.isEmpty() ? "bridge" : name);
  }

  private boolean needsHostRoute() {
    if (isLoopback(controlPlane.getHost())) {
      return true;
    }
    return upstreams.values().stream().anyMatch(u -> isLoopback(u.uri().getHost()));
  }

  /** A loopback address is this machine: Envoy connects to it through the host route. */
  private void connectThroughHost(EnvoyConfig.Builder builder, URI uri) {
    if (isHostNetwork() || hostRoute == null || !isLoopback(uri.getHost())) {
      return;
    }
    int port = port(uri);
    builder.withConnectTo(
        uri.getHost(), port, hostRoute.host(), hostRoute.forward(uri.getHost(), port));
  }

  /**
   * Stops Envoy as {@code docker stop} does (SIGTERM, SIGKILL after {@link #STOP_GRACE}), so that
   * the filter says goodbye: it removes its instances from the control plane's {@code /v1/nodes}
   * itself, and waits for ACKs never count them again. Then removes the container and the forwarder
   * to this machine.
   */
  @Override
  public void stop() {
    if (isRunning()) {
      try {
        getDockerClient()
            .stopContainerCmd(getContainerId())
            .withTimeout((int) STOP_GRACE.toSeconds())
            .exec();
      } catch (RuntimeException e) {
        LOG.warn("stopping Envoy's container gracefully failed ({}); removing it", e.toString());
      }
    }
    super.stop();
    if (hostRoute != null) {
      hostRoute.close();
      hostRoute = null;
    }
    if (ownedClient != null) {
      ownedClient.close();
    }
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

  /**
   * {@inheritDoc}
   *
   * <p>The container's log stream reaches this JVM some time after Envoy wrote it, so a read first
   * sends a barrier request through the first listener (header {@code x-hfi-journal-barrier}, which
   * the filter answers itself with {@code 204} and a barrier line) and waits, up to 10 s, until the
   * stream has brought the barrier line, and with it every entry written before.
   */
  @Override
  public RequestJournal journal() {
    return journal;
  }

  private void onLogLine(OutputFrame frame) {
    String line = frame.getUtf8StringWithoutLineEnding();
    if (journal.accept(line)) {
      return;
    }
    String token = JournalLines.barrier(line);
    if (token != null) {
      synchronized (barriers) {
        barriers.add(token);
        barriers.notifyAll();
      }
    }
  }

  private String upstreamOf(String node) {
    for (Map.Entry<String, UpstreamSpec> e : upstreams.entrySet()) {
      if (e.getValue().node().equals(node)) {
        return e.getKey();
      }
    }
    return node;
  }

  private void journalBarrier() {
    if (!requestJournal || !isRunning() || upstreams.isEmpty()) {
      return;
    }
    String token = UUID.randomUUID().toString();
    URI listener = proxyUri(upstreams.keySet().iterator().next());
    int status;
    try {
      status =
          BARRIER_CLIENT
              .send(
                  HttpRequest.newBuilder(listener.resolve("/"))
                      .header(JournalLines.BARRIER_HEADER, token)
                      .timeout(BARRIER_TIMEOUT)
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode();
    } catch (IOException e) {
      throw new TestkitException(
          Code.NOT_STARTED, "cannot reach " + listener + " to read the request journal: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestkitException(Code.NOT_STARTED, "interrupted reading the request journal", e);
    }
    if (status != 204) {
      throw new TestkitException(
          Code.FILTER_NOT_FOUND,
          "the journal barrier through "
              + listener
              + " was answered "
              + status
              + ", not 204 by the filter: is the filter older than the request journal?");
    }
    long deadline = System.nanoTime() + BARRIER_TIMEOUT.toNanos();
    synchronized (barriers) {
      while (!barriers.remove(token)) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new TestkitException(
              Code.NOT_STARTED,
              "the container's log stream did not bring the journal barrier within "
                  + BARRIER_TIMEOUT.toSeconds()
                  + " s (log level above info?)");
        }
        try {
          barriers.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new TestkitException(Code.NOT_STARTED, "interrupted reading the journal", e);
        }
      }
    }
  }

  private static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient BARRIER_CLIENT =
      HttpClient.newBuilder().connectTimeout(BARRIER_TIMEOUT).build();

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

  private static boolean isLoopback(String host) {
    return host.equals("localhost")
        || host.startsWith("127.")
        || host.equals("[::1]")
        || host.equals("::1");
  }

  private static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
  }

  private boolean checkUpstreamUri(String what, URI uri) {
    if (uri == null
        || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null
        || uri.getRawQuery() != null) {
      problems.add(
          what
              + ": \""
              + uri
              + "\" must be an http or https URI with a host, e.g. http://127.0.0.1:8081");
      return false;
    }
    return true;
  }

  private boolean checkHttpUri(String what, URI uri) {
    if (uri == null
        || !"http".equals(uri.getScheme())
        || uri.getHost() == null
        || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
      problems.add(
          what
              + ": \""
              + uri
              + "\" must be a plain http URI with a host and no path, e.g."
              + " http://127.0.0.1:8080");
      return false;
    }
    return true;
  }

  private static TestkitException invalid(String message) {
    return new TestkitException(Code.INVALID_CONFIGURATION, message);
  }

  /**
   * A builder with the settings every {@link DataPlane} takes, for code written against {@link
   * DataPlane.Builder} (the conformance suite, the JUnit extension's stacks).
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Configures and starts an {@link EnvoyContainer} through the settings every data plane takes,
   * plus the container's own. {@link #withBindAddress} has no effect: the listeners bind every
   * address inside the container and are reached through their mapped ports. A listen port given
   * with {@link #withUpstream(String, URI, int)} is the port inside the container. Not thread-safe.
   *
   * <pre>{@code
   * DataPlane envoy = EnvoyContainer.builder()
   *     .withImage(HfiImages.fromEnvironment().envoy())
   *     .withNetwork(network)
   *     .withControlPlane(URI.create("http://hfi-control-plane:8080"))  // as Envoy sees it
   *     .withControlPlaneFromHost(controlPlane.uri())                    // for readiness
   *     .withUpstream("orders", URI.create("http://localhost:8081"))
   *     .start();
   * }</pre>
   */
  public static final class Builder extends EnvoySettings<Builder> {
    private DockerImageName image = DEFAULT_IMAGE;
    private Network network;
    private URI fromHost;

    private Builder() {
      super(DEFAULT_STARTUP_TIMEOUT);
    }

    /** The Envoy image; default {@link EnvoyContainer#DEFAULT_IMAGE}. */
    public Builder withImage(DockerImageName image) {
      this.image = image;
      return this;
    }

    /** The Docker network to join; default the daemon's default bridge. */
    public Builder withNetwork(Network network) {
      this.network = network;
      return this;
    }

    /**
     * The same control plane as {@link #withControlPlane(URI)} as this machine reaches it (e.g.
     * through its mapped port), where readiness waits for the ACKs and a closed Envoy removes its
     * filter instances; default: the URI given to {@code withControlPlane}.
     */
    public Builder withControlPlaneFromHost(URI controlPlane) {
      this.fromHost = controlPlane;
      return this;
    }

    /**
     * Checks every setting, starts the container and returns it once Envoy is LIVE and (unless
     * {@code withReadyTimeout(ZERO)}) every filter instance has ACKed.
     *
     * @throws TestkitException {@code INVALID_CONFIGURATION} naming bad settings, {@code
     *     NOT_STARTED} with the end of Envoy's log when it did not become ready
     */
    @Override
    public EnvoyContainer start() {
      List<String> errors = problems();
      if (image == null) {
        errors.add("withImage: null; pass an envoyproxy/envoy image or a declared substitute");
      }
      if (fromHost != null
          && (!"http".equals(fromHost.getScheme()) || fromHost.getHost() == null)) {
        errors.add(
            "withControlPlaneFromHost: \""
                + fromHost
                + "\" must be a plain http URI with a host, e.g. http://127.0.0.1:32768");
      }
      if (!errors.isEmpty()) {
        throw invalid(String.join("; ", errors));
      }
      EnvoyContainer envoy = new EnvoyContainer(image);
      HfiClient client =
          HfiClient.builder()
              .withBaseUri(fromHost != null ? fromHost : controlPlane())
              .withToken(token())
              .withTimeout(Duration.ofSeconds(30))
              .build();
      try {
        if (network != null) {
          envoy.withNetwork(network);
        }
        envoy
            .withControlPlane(controlPlane(), client)
            .withControlPlaneToken(token())
            .withConcurrency(concurrency())
            .withLogLevel(logLevel())
            .withPollTimeout(pollTimeout())
            .withRequestJournal(requestJournal());
        envoy.ownedClient = client;
        if (readyTimeout().isZero()) {
          envoy.ackCheck = (nodes, timeout) -> true;
        } else {
          envoy.withStartupTimeout(readyTimeout());
        }
        if (filterWasm() != null) {
          envoy.withFilterWasm(filterWasm());
        }
        if (trustedCa() != null) {
          envoy.withTrustedCa(trustedCa());
        }
        upstreams()
            .values()
            .forEach(u -> envoy.withUpstream(u.name(), u.name(), u.uri(), u.listenPort()));
        envoy.start();
        return envoy;
      } catch (TestkitException e) {
        envoy.close();
        throw e;
      } catch (RuntimeException e) {
        String logs = envoy.isCreated() ? tail(envoy.getLogs()) : "";
        envoy.close();
        throw new TestkitException(
            Code.NOT_STARTED,
            "EnvoyContainer ("
                + image
                + ") did not start: "
                + rootMessage(e)
                + (logs.isEmpty() ? "" : "\n--- last lines of Envoy's log ---\n" + logs));
      }
    }

    private static String rootMessage(Throwable e) {
      StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        out.append(": ").append(c.getMessage());
      }
      return out.toString();
    }

    private static String tail(String logs) {
      String[] lines = logs.split("\n");
      int from = Math.max(0, lines.length - 30);
      return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
  }
}
