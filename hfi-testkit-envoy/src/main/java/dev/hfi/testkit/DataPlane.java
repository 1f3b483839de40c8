package dev.hfi.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * A running data plane: a proxy in front of one or more upstreams, each on a listener of its own,
 * whose HFI filter reports to the control plane as that upstream's node. Implemented by {@link
 * EmbeddedDataPlane} (in this JVM), {@link EnvoyProcess} (a real Envoy as a child process) and
 * {@code EnvoyContainer} (hfi-testcontainers) (a real Envoy in a container); the data-plane
 * conformance suite runs the same cases against each of them.
 *
 * <p>A data plane is ready once it has been started: its listeners are bound and the filter of
 * every node has ACKed the control plane's rule set of that moment. Counters are read from the data
 * plane itself (the filter's metrics, which Envoy publishes as stats), summed over listeners and
 * workers. Implementations are thread-safe once started.
 *
 * <pre>{@code
 * try (DataPlane proxy = EnvoyProcess.builder()
 *     .withControlPlane(hfiClient)
 *     .withUpstream("orders", URI.create("http://127.0.0.1:8081"))
 *     .build()
 *     .start()) {
 *   URI orders = proxy.proxyUri("orders");   // send the client under test here
 *   long injected = proxy.injections("orders-unavailable");
 *   List<JournaledRequest> seen = proxy.journal().all();
 * }
 * }</pre>
 */
public interface DataPlane extends AutoCloseable {

  /** The upstreams' names, in the order they were added. */
  Set<String> upstreams();

  /** The node {@code upstream}'s filter reports as (by default its name). */
  String node(String upstream);

  /**
   * Where a client reaches {@code upstream} through the data plane, e.g. {@code
   * http://127.0.0.1:41234}.
   *
   * @throws TestkitException {@code INVALID_CONFIGURATION} for an unknown upstream, {@code
   *     NOT_STARTED} before start
   */
  URI proxyUri(String upstream);

  /**
   * The filter's metrics by their names without Envoy's {@code wasmcustom.} prefix ({@code
   * hfi.faults.aborts_total}, {@code hfi.policy.<name>.injections_total}, {@code
   * hfi.ruleset.version}, ...; see docs/FILTER.md), summed over every listener and worker.
   */
  Map<String, Long> metrics();

  /** Injections of {@code policy} over every listener. */
  default long injections(String policy) {
    return metrics().getOrDefault("hfi.policy." + policy + ".injections_total", 0L);
  }

  /** Requests answered with an injected abort. */
  default long aborts() {
    return metrics().getOrDefault("hfi.faults.aborts_total", 0L);
  }

  /** Requests delayed. */
  default long delays() {
    return metrics().getOrDefault("hfi.faults.delays_total", 0L);
  }

  /**
   * The requests this data plane's filters journaled, oldest first (docs/FILTER.md, "Request
   * journal"): empty when the journal is off ({@link Builder#withRequestJournal}).
   */
  RequestJournal journal();

  /** Stops the data plane; requests still held by a delay are let go or cut. */
  @Override
  void close();

  /**
   * The settings every data plane takes; each implementation's builder adds its own. Not
   * thread-safe.
   *
   * @param <B> the implementation's builder
   */
  interface Builder<B extends Builder<B>> {

    /** The control plane the filters long-poll, e.g. {@code http://127.0.0.1:8080} (required). */
    B withControlPlane(URI controlPlane);

    /** Bearer token for a control plane that requires one. */
    B withControlPlaneToken(String token);

    /** Proxies {@code upstream} on any free port; its filter reports as node {@code name}. */
    B withUpstream(String name, URI upstream);

    /** Proxies {@code upstream} on {@code listenPort} (0 = any free port) as node {@code name}. */
    B withUpstream(String name, URI upstream, int listenPort);

    /**
     * PEM bundle of the CAs that {@code https} upstreams' certificates must chain to, instead of
     * the default trust (the JVM's, or the system bundle for Envoy); the certificate must also name
     * the upstream's host.
     */
    B withTrustedCa(Path pemFile);

    /** Runs this {@code hfi-filter.wasm} instead of the one on the classpath. */
    B withFilterWasm(Path wasm);

    /** Address the listeners bind; default {@code 127.0.0.1}. */
    B withBindAddress(String bindAddress);

    /** How long the control plane holds each of the filters' long polls; default 30 s. */
    B withPollTimeout(Duration pollTimeout);

    /**
     * Whether the filters journal every request ({@link DataPlane#journal()}); default on, as these
     * are test data planes (the filter's own default, for production proxies, is off).
     */
    B withRequestJournal(boolean on);

    /**
     * How long starting waits for every filter to ACK the control plane's current rule set; {@link
     * Duration#ZERO}: serve at once and let the filters catch up in the background.
     */
    B withReadyTimeout(Duration readyTimeout);

    /**
     * Checks the settings, then starts the data plane and returns it ready.
     *
     * @throws TestkitException naming a bad setting, or saying why it did not start
     */
    DataPlane start();
  }
}
