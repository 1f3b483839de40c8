package dev.hfi.testkit.internal;

import dev.hfi.client.Durations;
import dev.hfi.client.HfiClient;
import dev.hfi.client.HfiException;
import dev.hfi.client.Names;
import dev.hfi.testkit.DataPlane;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings every data plane takes ({@link DataPlane.Builder}), kept and checked once for all of
 * them; each data plane's builder extends it with its own. Not thread-safe.
 *
 * @param <B> the data plane's builder
 */
public abstract class DataPlaneSettings<B extends DataPlaneSettings<B>>
    implements DataPlane.Builder<B> {
  private static final Duration MAX_POLL_TIMEOUT = Duration.ofMinutes(5);

  /**
   * One proxied upstream: a listener on {@code listenPort} (0 = any free) in front of {@code uri}.
   */
  public record Upstream(String name, URI uri, int listenPort) {}

  private final Map<String, Upstream> upstreams = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private URI controlPlane;
  private String token;
  private String bindAddress = "127.0.0.1";
  private Duration pollTimeout = Duration.ofSeconds(30);
  private Duration readyTimeout;
  private Path trustedCa;
  private Path filterWasm;
  private boolean requestJournal = true;

  protected DataPlaneSettings(Duration defaultReadyTimeout) {
    this.readyTimeout = defaultReadyTimeout;
  }

  @SuppressWarnings("unchecked")
  protected final B self() {
    return (B) this;
  }

  @Override
  public B withControlPlane(URI controlPlane) {
    this.controlPlane = controlPlane;
    return self();
  }

  @Override
  public B withControlPlaneToken(String token) {
    this.token = token;
    return self();
  }

  @Override
  public B withUpstream(String name, URI upstream) {
    return withUpstream(name, upstream, 0);
  }

  @Override
  public B withUpstream(String name, URI upstream, int listenPort) {
    if (upstreams.containsKey(name)) {
      problems.add("withUpstream: upstream \"" + name + "\" added twice; give each its own name");
    }
    upstreams.put(name, new Upstream(name, upstream, listenPort));
    return self();
  }

  @Override
  public B withRequestJournal(boolean on) {
    this.requestJournal = on;
    return self();
  }

  /** Whether the filters journal every request. */
  public boolean requestJournal() {
    return requestJournal;
  }

  @Override
  public B withTrustedCa(Path pemFile) {
    this.trustedCa = pemFile;
    return self();
  }

  @Override
  public B withFilterWasm(Path wasm) {
    this.filterWasm = wasm;
    return self();
  }

  @Override
  public B withBindAddress(String bindAddress) {
    this.bindAddress = bindAddress;
    return self();
  }

  @Override
  public B withPollTimeout(Duration pollTimeout) {
    this.pollTimeout = pollTimeout;
    return self();
  }

  @Override
  public B withReadyTimeout(Duration readyTimeout) {
    this.readyTimeout = readyTimeout;
    return self();
  }

  public URI controlPlane() {
    return controlPlane;
  }

  public String token() {
    return token;
  }

  /** The upstreams by name, in the order they were added. */
  public Map<String, Upstream> upstreams() {
    return Collections.unmodifiableMap(upstreams);
  }

  public String bindAddress() {
    return bindAddress;
  }

  public Duration pollTimeout() {
    return pollTimeout;
  }

  public Duration readyTimeout() {
    return readyTimeout;
  }

  /** The PEM CA bundle for {@code https} upstreams, or null for the default trust. */
  public Path trustedCa() {
    return trustedCa;
  }

  /** Another build of the filter, or null for the classpath's. */
  public Path filterWasm() {
    return filterWasm;
  }

  /**
   * Every problem with the shared settings, each naming the setting and how to fix it; a builder
   * adds its own before it fails with all of them.
   */
  protected List<String> problems() {
    List<String> errors = new ArrayList<>(problems);
    if (controlPlane == null) {
      errors.add(
          "withControlPlane: required; pass the control plane's URI, e.g. http://127.0.0.1:8080");
    } else if (!isHttpBase(controlPlane)) {
      errors.add(
          "withControlPlane: \""
              + controlPlane
              + "\" must be a plain http URI with a host and no path, e.g. http://127.0.0.1:8080");
    }
    if (upstreams.isEmpty()) {
      errors.add(
          "withUpstream: at least one upstream is required, e.g."
              + " withUpstream(\"orders\", URI.create(\"http://127.0.0.1:8081\"))");
    }
    for (Upstream u : upstreams.values()) {
      String where = "withUpstream(\"" + u.name() + "\")";
      String badName = Names.checkDns1123Label("withUpstream name", u.name());
      if (badName != null) {
        errors.add(badName + ", e.g. \"orders\"; it is also the filter's node name");
      }
      String scheme = u.uri() == null ? null : u.uri().getScheme();
      if (!("http".equals(scheme) || "https".equals(scheme))
          || u.uri().getHost() == null
          || u.uri().getRawQuery() != null) {
        errors.add(
            where
                + ": \""
                + u.uri()
                + "\" must be an http or https URI with a host, e.g. http://127.0.0.1:8081");
      }
      if (u.listenPort() < 0 || u.listenPort() > 65535) {
        errors.add(
            where + ": listen port " + u.listenPort() + " must be in 0..65535 (0 = any free port)");
      }
    }
    if (bindAddress == null || bindAddress.isBlank()) {
      errors.add("withBindAddress: must not be empty; use 127.0.0.1 or 0.0.0.0");
    }
    if (pollTimeout == null
        || pollTimeout.toMillis() < 1
        || pollTimeout.compareTo(MAX_POLL_TIMEOUT) > 0) {
      errors.add(
          "withPollTimeout("
              + Durations.format(pollTimeout)
              + "): must be between 1 ms and 5 minutes");
    }
    if (readyTimeout == null || readyTimeout.isNegative()) {
      errors.add(
          "withReadyTimeout("
              + Durations.format(readyTimeout)
              + "): must be zero (do not wait) or positive");
    }
    if (token != null && token.isBlank()) {
      errors.add("withControlPlaneToken: must not be blank; pass null for no token");
    }
    if (filterWasm != null && !Files.isReadable(filterWasm)) {
      errors.add("withFilterWasm(" + filterWasm + "): not a readable file; pass hfi-filter.wasm");
    }
    return errors;
  }

  /**
   * Waits until every upstream's node has at least {@code instancesPerNode} filter instances that
   * ACKed the control plane's current rule set, for at most {@code timeout}.
   *
   * @return null when they have, else why not (for the data plane's error), ending with what the
   *     caller can check, {@code hint}
   */
  public String awaitFilters(int instancesPerNode, Duration timeout, String hint) {
    try (HfiClient client =
        HfiClient.builder()
            .withBaseUri(controlPlane)
            .withToken(token)
            .withTimeout(readyTimeout)
            .build()) {
      if (new HfiClientAcks(client, instancesPerNode).awaitAcked(upstreams.keySet(), timeout)) {
        return null;
      }
      return "the filters of "
          + upstreams.keySet()
          + " did not ACK the rule set of the control plane at "
          + controlPlane
          + " within "
          + readyTimeout.toMillis()
          + " ms: "
          + hint;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while waiting for the filters' ACKs";
    } catch (HfiException e) {
      return "waiting for the filters' ACKs at " + controlPlane + " failed: " + e.getMessage();
    }
  }

  private static boolean isHttpBase(URI uri) {
    return "http".equals(uri.getScheme())
        && uri.getHost() != null
        && (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
        && uri.getRawQuery() == null;
  }
}
