package dev.hfi.junit.internal;

import dev.hfi.client.AckTracker;
import dev.hfi.client.ApplyResult;
import dev.hfi.client.AwaitTimeoutException;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiClient;
import dev.hfi.client.HfiException;
import dev.hfi.client.PolicyNotFoundException;
import dev.hfi.client.RuleSetRejectedException;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.PolicyStore;
import dev.hfi.controlplane.StoreSelection;
import dev.hfi.junit.DataPlaneMode;
import dev.hfi.junit.StackMode;
import dev.hfi.junit.StoreMode;
import dev.hfi.testkit.DataPlane;
import dev.hfi.testkit.EmbeddedDataPlane;
import dev.hfi.testkit.EnvoyBinary;
import dev.hfi.testkit.EnvoyProcess;
import dev.hfi.testkit.TestkitException;
import dev.hfi.testkit.internal.WasmFilterHost;
import dev.hfi.testsupport.EtcdProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack one test run shares: the control plane in-process and one data plane (embedded, or a
 * real Envoy) per (upstream name, upstream URL); or, for {@link StackMode#CONTAINERS}, etcd, the
 * control plane and one Envoy per upstream as containers ({@link ContainerStack}). Lives in the
 * root {@code ExtensionContext.Store}, which closes it at the end of the run.
 *
 * <p>Data planes are never replaced: a class that points an upstream name at another URL gets a
 * listener of its own (same node name), and the old one keeps ACKing until the run ends, so waits
 * for ACKs never hang on a stopped instance. Thread-safe.
 */
public final class SharedStack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SharedStack.class);

  /** System property choosing the data plane when the annotation or builder says DEFAULT. */
  public static final String DATA_PLANE_PROPERTY = "hfi.dataPlane";

  /** System property choosing the store when the annotation or builder says DEFAULT. */
  public static final String STORE_PROPERTY = "hfi.store";

  /** System property choosing where the stack runs when the annotation or builder says DEFAULT. */
  public static final String STACK_PROPERTY = "hfi.stack";

  /** The modes a class asks for, resolved from its annotation or builder and the properties. */
  public record Modes(DataPlaneMode dataPlane, StoreMode store, StackMode stack) {}

  /** System property with the etcd endpoints for {@link StoreMode#ETCD}. */
  public static final String ETCD_ENDPOINTS_PROPERTY = "hfi.etcd.endpoints";

  private final Modes modes;
  private final EtcdProcess etcd;
  private final PolicyStore store;
  private final ControlPlaneServer server;
  private final ContainerStack containers;
  private final HfiClient client;
  private AckTracker acks;
  private final Duration controlPlaneStart;
  private final Map<String, DataPlane> dataPlanes = new LinkedHashMap<>();
  private final Map<String, Duration> dataPlaneStarts = new LinkedHashMap<>();

  private SharedStack(Modes modes) {
    long t0 = System.nanoTime();
    this.modes = modes;
    if (modes.stack() == StackMode.CONTAINERS) {
      this.etcd = null;
      this.store = null;
      this.server = null;
      if (!ContainerStack.moduleAvailable()) {
        throw new ExtensionConfigurationException(
            "stack = CONTAINERS (-D"
                + STACK_PROPERTY
                + "): add "
                + ContainerStack.MODULE
                + " (same version as hfi-junit) to the test dependencies; it brings Testcontainers,"
                + " which the in-process stack does not need");
      }
      this.containers = ContainerStack.start();
      this.client = containers.client();
      this.acks = AckTracker.open(client, Duration.ofSeconds(30));
      this.controlPlaneStart = Duration.ofNanos(System.nanoTime() - t0);
      LOG.info(
          "hfi stack: containers (etcd, control plane at {}) in {} ms",
          client.baseUri(),
          controlPlaneStart.toMillis());
      return;
    }
    this.containers = null;
    this.etcd = modes.store() == StoreMode.ETCD && endpoints().isEmpty() ? startEtcd() : null;
    // A part that cannot start fails the class with its cause, and whatever already started is
    // stopped: Errors too (a class missing or clashing on the user's classpath), since a part left
    // running keeps the test JVM from exiting.
    if (modes.dataPlane() == DataPlaneMode.EMBEDDED) {
      // Parsing the filter takes a few hundred ms: done beside the control plane's start.
      WasmFilterHost.preloadInBackground();
    }
    PolicyStore openedStore = null;
    ControlPlaneServer startedServer = null;
    HfiClient openedClient = null;
    try {
      openedStore = store(modes.store(), etcd);
      startedServer =
          ControlPlaneServer.builder().withPort(0).withStore(openedStore).build().start();
      openedClient =
          HfiClient.builder()
              .withBaseUri(startedServer.uri())
              .withTimeout(Duration.ofSeconds(30))
              .build();
      this.acks = AckTracker.open(openedClient, Duration.ofSeconds(30));
    } catch (RuntimeException | Error e) {
      closeQuietly(openedClient);
      closeQuietly(startedServer);
      closeQuietly(openedStore);
      closeQuietly(etcd);
      throw e;
    }
    this.store = openedStore;
    this.server = startedServer;
    this.client = openedClient;
    this.controlPlaneStart = Duration.ofNanos(System.nanoTime() - t0);
    LOG.info(
        "hfi stack: control plane ({} store) on {} in {} ms",
        modes.store(),
        server.uri(),
        controlPlaneStart.toMillis());
  }

  /** Starts a stack in the given modes (already resolved from annotations and properties). */
  public static SharedStack start(Modes modes) {
    return new SharedStack(modes);
  }

  /**
   * The modes a class runs in: the stack first ({@code hfi.stack}); the container stack always runs
   * Envoy on etcd, so a class that explicitly asks for the embedded data plane or the memory store
   * there fails, while the {@code hfi.dataPlane} and {@code hfi.store} properties do not apply.
   */
  public static Modes resolve(
      DataPlaneMode dataPlane, StoreMode store, StackMode stack, String where) {
    StackMode mode =
        stack == StackMode.DEFAULT
            ? parse(StackMode.class, STACK_PROPERTY, StackMode.IN_PROCESS)
            : stack;
    if (mode == StackMode.CONTAINERS) {
      if (dataPlane == DataPlaneMode.EMBEDDED || store == StoreMode.MEMORY) {
        throw new ExtensionConfigurationException(
            where
                + ": stack = CONTAINERS runs Envoy on etcd, but the class asks for dataPlane = "
                + dataPlane
                + ", store = "
                + store
                + "; leave dataPlane and store at DEFAULT, or use stack = IN_PROCESS");
      }
      return new Modes(DataPlaneMode.ENVOY, StoreMode.ETCD, StackMode.CONTAINERS);
    }
    return new Modes(resolve(dataPlane, where), resolve(store, where), StackMode.IN_PROCESS);
  }

  /**
   * The mode {@code declared} resolves to: itself unless DEFAULT, else the system property, else
   * EMBEDDED. Fails for modes the stack cannot run.
   */
  public static DataPlaneMode resolve(DataPlaneMode declared, String where) {
    DataPlaneMode mode = declared;
    if (mode == DataPlaneMode.DEFAULT) {
      mode = parse(DataPlaneMode.class, DATA_PLANE_PROPERTY, DataPlaneMode.EMBEDDED);
    }
    if (mode == DataPlaneMode.ENVOY) {
      envoyBinary(where); // a binary named but unusable fails the class before anything starts
    }
    return mode;
  }

  /**
   * Like {@link #resolve(DataPlaneMode, String)} for the store: ETCD fails the class before
   * anything starts when {@code hfi-store-etcd} is not on the classpath.
   */
  public static StoreMode resolve(StoreMode declared, String where) {
    StoreMode mode = declared;
    if (mode == StoreMode.DEFAULT) {
      mode = parse(StoreMode.class, STORE_PROPERTY, StoreMode.MEMORY);
    }
    if (mode == StoreMode.ETCD && !StoreSelection.Kind.etcd.available()) {
      throw new ExtensionConfigurationException(
          where
              + ": store = ETCD (@HfiTest, withStore or -D"
              + STORE_PROPERTY
              + "=etcd): add "
              + StoreSelection.Kind.etcd.module()
              + " (same version as hfi-junit) to the test dependencies; it brings the etcd client"
              + " (jetcd, gRPC, Netty), which the memory store does not need");
    }
    return mode;
  }

  /** Fails when a class asks for other modes than the ones the run's stack already has. */
  public void requireModes(Modes asked, String where) {
    if (!asked.equals(modes)) {
      throw new ExtensionConfigurationException(
          where
              + ": asks for stack = "
              + asked.stack()
              + ", dataPlane = "
              + asked.dataPlane()
              + ", store = "
              + asked.store()
              + " but this run's shared stack already runs stack = "
              + modes.stack()
              + ", dataPlane = "
              + modes.dataPlane()
              + ", store = "
              + modes.store()
              + "; one run uses one mode (set -D"
              + STACK_PROPERTY
              + " / -D"
              + DATA_PLANE_PROPERTY
              + " / -D"
              + STORE_PROPERTY
              + " instead of per-class modes)");
    }
  }

  /**
   * The data plane proxying {@code upstream} as node {@code name}, started on first use: the
   * embedded one, or for {@link DataPlaneMode#ENVOY} a local Envoy binary ({@link EnvoyBinary}),
   * else an {@code EnvoyContainer} (hfi-testcontainers) when Docker is available.
   */
  public synchronized DataPlane dataPlane(String name, URI upstream, Duration ready) {
    String key = name + " " + upstream;
    DataPlane existing = dataPlanes.get(key);
    if (existing != null) {
      return existing;
    }
    long t0 = System.nanoTime();
    DataPlane started =
        containers != null
            ? containers.envoy(name, upstream, ready)
            : modes.dataPlane() == DataPlaneMode.ENVOY
                ? startEnvoy(name, upstream, ready)
                : EmbeddedDataPlane.builder()
                    .withControlPlane(server.uri())
                    .withUpstream(name, upstream)
                    .withReadyTimeout(ready)
                    .build()
                    .start();
    dataPlanes.put(key, started);
    dataPlaneStarts.put(key, Duration.ofNanos(System.nanoTime() - t0));
    return started;
  }

  private static Optional<Path> envoyBinary(String where) {
    try {
      return EnvoyBinary.find();
    } catch (TestkitException e) {
      throw new ExtensionConfigurationException(
          where + ": dataPlane = ENVOY: " + e.getMessage(), e);
    }
  }

  private DataPlane startEnvoy(String name, URI upstream, Duration ready) {
    Optional<Path> binary = envoyBinary("upstream \"" + name + "\"");
    if (binary.isPresent()) {
      return EnvoyProcess.builder()
          .withBinary(binary.get())
          .withControlPlane(server.uri())
          .withUpstream(name, upstream)
          // At least the ACK timeout, and room for Envoy's own start (about a second).
          .withReadyTimeout(ready.plus(Duration.ofSeconds(30)))
          .build()
          .start();
    }
    if (!ContainerStack.moduleAvailable()) {
      throw new ExtensionConfigurationException(
          "dataPlane = ENVOY: no Envoy binary. Either "
              + EnvoyBinary.howToGetEnvoy()
              + ", or add "
              + ContainerStack.MODULE
              + " to the test dependencies and make a Docker daemon available for EnvoyContainer");
    }
    return ContainerStack.envoyOnHostNetwork(name, upstream, client);
  }

  /** The control-plane client (shared; do not close it). */
  public HfiClient client() {
    return client;
  }

  /** How long the control plane took to start. */
  public Duration controlPlaneStart() {
    return controlPlaneStart;
  }

  /** How long each data plane took to start, by "name url". */
  public synchronized Map<String, Duration> dataPlaneStarts() {
    return Map.copyOf(dataPlaneStarts);
  }

  /**
   * Applies {@code policies} and waits until every live data-plane instance has ACKed the result.
   *
   * @throws AssertionError naming the policies and the instance that NACKed or lagged
   */
  public void applyAndAwait(Collection<FaultInjectionPolicy> policies, Duration timeout) {
    if (policies.isEmpty()) {
      return;
    }
    long revision = 0;
    for (FaultInjectionPolicy p : policies) {
      ApplyResult r;
      try {
        r = client.apply(p);
      } catch (HfiException e) {
        throw new AssertionError(
            "HFI: applying policy \"" + p.name() + "\" failed: " + e.getMessage(), e);
      }
      revision = Math.max(revision, r.revision());
    }
    await(revision, timeout, "applying " + names(policies));
  }

  /** Deletes {@code names} (absent ones are skipped) and waits for the ACKs of the result. */
  public void deleteAndAwait(Collection<String> names, Duration timeout) {
    if (names.isEmpty()) {
      return;
    }
    long revision = 0;
    List<HfiException> failures = new ArrayList<>();
    for (String name : names) {
      try {
        revision = Math.max(revision, client.delete(name).revision());
      } catch (PolicyNotFoundException e) {
        // Expired (duration) or deleted by the test itself: nothing left to remove.
      } catch (HfiException e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      throw new AssertionError(
          "HFI: deleting policies " + names + " failed: " + failures.get(0).getMessage(),
          failures.get(0));
    }
    if (revision > 0) {
      await(revision, timeout, "deleting " + names);
    }
  }

  private void await(long revision, Duration timeout, String what) {
    try {
      acks().await(revision, timeout);
    } catch (RuleSetRejectedException e) {
      throw new AssertionError("HFI: " + what + ": " + e.getMessage(), e);
    } catch (AwaitTimeoutException e) {
      throw new AssertionError(
          "HFI: "
              + what
              + ": "
              + e.getMessage()
              + " (raise the timeout with @HfiTest(ackTimeout = ...) or withAckTimeout)",
          e);
    }
  }

  /** The run-long tracker, opened again if its event stream broke. */
  private synchronized AckTracker acks() {
    if (!acks.isOpen()) {
      acks.close();
      acks = AckTracker.open(client, Duration.ofSeconds(30));
    }
    return acks;
  }

  private static String names(Collection<FaultInjectionPolicy> policies) {
    List<String> names = new ArrayList<>();
    policies.forEach(p -> names.add(p.name()));
    return names.toString();
  }

  /** Stops every data plane, then the control plane and its store. */
  @Override
  public synchronized void close() {
    // One failing close (e.g. a request still held by a delay) must not keep the rest running.
    dataPlanes.values().forEach(SharedStack::closeQuietly);
    dataPlanes.clear();
    acks.close();
    if (containers != null) {
      containers.close();
      return;
    }
    client.close();
    server.close();
    closeQuietly(store);
    if (etcd != null) {
      closeQuietly(etcd);
    }
  }

  private static EtcdProcess startEtcd() {
    try {
      return EtcdProcess.start();
    } catch (RuntimeException e) {
      throw new ExtensionConfigurationException(
          "store = ETCD: cannot start a local etcd ("
              + e.getMessage()
              + "); install etcd (Debian: etcd-server) or pass -D"
              + ETCD_ENDPOINTS_PROPERTY
              + "=http://host:2379",
          e);
    }
  }

  private static PolicyStore store(StoreMode mode, EtcdProcess etcd) {
    if (mode != StoreMode.ETCD) {
      return StoreSelection.memory().open();
    }
    return StoreSelection.etcd(
            etcd != null ? List.of(etcd.endpoint().toString()) : endpoints(),
            "/hfi-junit-" + UUID.randomUUID() + "/")
        .open();
  }

  private static List<String> endpoints() {
    List<String> out = new ArrayList<>();
    for (String s : System.getProperty(ETCD_ENDPOINTS_PROPERTY, "").split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String property, E fallback) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException(
          "system property "
              + property
              + "=\""
              + value
              + "\" is not one of "
              + java.util.Arrays.stream(type.getEnumConstants())
                  .map(c -> c.name().toLowerCase(java.util.Locale.ROOT))
                  .filter(n -> !n.equals("default"))
                  .toList());
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("closing {} failed: {}", c, e.toString());
    }
  }
}
