package dev.hfi.junit;

import dev.hfi.client.Durations;
import dev.hfi.client.FaultInjectionPolicy.HeaderMatch;
import dev.hfi.client.FaultInjectionPolicy.StringMatch;
import dev.hfi.junit.internal.FaultSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A fault to inject from inside a test, for faults that depend on what the test has done so far;
 * the fluent twin of {@link InjectFault}, mapped to a policy by the same code. Hand it to {@link
 * HfiExtension#inject} or {@link HfiStack#inject}: they return once every live data plane has
 * applied it, and the extension removes it after the test like an annotation's policy.
 *
 * <p>Every setting is checked when the fault is injected; a mistake fails the test with an {@code
 * ExtensionConfigurationException} that names the method to fix. Not thread-safe; one instance may
 * be injected again (it then gets a new default name).
 *
 * <pre>{@code
 * import static dev.hfi.junit.HfiFault.fault;
 *
 * String id = orders.place(book);                   // something the fault depends on
 * hfi.inject(fault().onUpstream("orders").onPath("/api/orders/" + id).abort(503).times(2));
 * }</pre>
 */
public final class HfiFault {
  private final FaultSpec spec = new FaultSpec();

  private HfiFault() {}

  /** A new fault: no match condition (every request), no fault kind yet. */
  public static HfiFault fault() {
    return new HfiFault();
  }

  /**
   * The policy's name (a DNS-1123 label); default: derived from the test, {@code
   * <class>-<method>-inject-<n>}.
   */
  public HfiFault named(String name) {
    spec.name(Objects.requireNonNull(name, "name"));
    return this;
  }

  /** Only the proxy of {@code upstream} injects; default: every upstream. */
  public HfiFault onUpstream(String upstream) {
    spec.upstream(Objects.requireNonNull(upstream, "upstream"));
    return this;
  }

  /** Requests whose path starts with {@code prefix}, e.g. {@code /api/orders}. */
  public HfiFault onPath(String prefix) {
    spec.path(StringMatch.prefix(Objects.requireNonNull(prefix, "prefix")), "onPath");
    return this;
  }

  /** Requests whose path is exactly {@code path}. */
  public HfiFault onPathExact(String path) {
    spec.path(StringMatch.exact(Objects.requireNonNull(path, "path")), "onPathExact");
    return this;
  }

  /** Requests whose whole path matches the RE2 regular expression {@code regex}. */
  public HfiFault onPathRegex(String regex) {
    spec.path(StringMatch.regex(Objects.requireNonNull(regex, "regex")), "onPathRegex");
    return this;
  }

  /** Requests with HTTP method {@code method}, e.g. {@code POST}. */
  public HfiFault onMethod(String method) {
    spec.method(Objects.requireNonNull(method, "method"));
    return this;
  }

  /** Requests whose header {@code name} is exactly {@code value}; every header condition holds. */
  public HfiFault onHeader(String name, String value) {
    return header(name, Objects.requireNonNull(value, "value"), null, null, null);
  }

  /** Requests whose header {@code name} starts with {@code prefix}. */
  public HfiFault onHeaderPrefix(String name, String prefix) {
    return header(name, null, Objects.requireNonNull(prefix, "prefix"), null, null);
  }

  /** Requests whose header {@code name} matches the RE2 regular expression {@code regex}. */
  public HfiFault onHeaderRegex(String name, String regex) {
    return header(name, null, null, Objects.requireNonNull(regex, "regex"), null);
  }

  /** Requests that carry header {@code name}, whatever its value. */
  public HfiFault onHeaderPresent(String name) {
    return header(name, null, null, null, Boolean.TRUE);
  }

  /** Answer with {@code httpStatus} (200..599) without calling the upstream. */
  public HfiFault abort(int httpStatus) {
    spec.abort(httpStatus, null, null);
    return this;
  }

  /** Answer with {@code httpStatus} and {@code body}. */
  public HfiFault abort(int httpStatus, String body) {
    spec.abort(httpStatus, Objects.requireNonNull(body, "body"), null);
    return this;
  }

  /**
   * Answer with {@code httpStatus}, {@code body} and response {@code headers} (lower-case names,
   * e.g. {@code Map.of("retry-after", "1")}); the proxy adds {@code x-hfi-fault} itself.
   */
  public HfiFault abort(int httpStatus, String body, Map<String, String> headers) {
    spec.abort(
        httpStatus,
        Objects.requireNonNull(body, "body"),
        Objects.requireNonNull(headers, "headers"));
    return this;
  }

  /** Answer with gRPC status {@code grpcStatus} (0..16), e.g. 14 (UNAVAILABLE). */
  public HfiFault abortGrpc(int grpcStatus) {
    spec.grpcStatus(grpcStatus);
    return this;
  }

  /** Hold each matching request this long (1 ms..1 h); with an abort too, wait, then abort. */
  public HfiFault delay(Duration delay) {
    spec.delay(Durations.format(Objects.requireNonNull(delay, "delay")));
    return this;
  }

  /**
   * Inject into this share of matching requests, 0..100 with up to 4 decimals (one request per
   * million); default 100.
   */
  public HfiFault percentage(double percentage) {
    if (Double.isNaN(percentage) || Double.isInfinite(percentage)) {
      throw new IllegalArgumentException("percentage: " + percentage + " is outside 0..100");
    }
    // Double.toString is the shortest text that reads back as the same double: what was written.
    spec.percentage(new BigDecimal(Double.toString(percentage)).stripTrailingZeros());
    return this;
  }

  /** Inject at most {@code times} times (at least 1), then let requests through. */
  public HfiFault times(int times) {
    spec.maxInjections(times);
    return this;
  }

  /** Priority among policies that match the same request; higher is tried first. Default 0. */
  public HfiFault priority(int priority) {
    spec.priority(priority);
    return this;
  }

  /** The policy expires by itself after {@code lifetime} ({@code spec.duration}). */
  public HfiFault expireAfter(Duration lifetime) {
    spec.duration(Durations.format(Objects.requireNonNull(lifetime, "lifetime")));
    return this;
  }

  FaultSpec spec() {
    return spec;
  }

  private HfiFault header(String name, String exact, String prefix, String regex, Boolean present) {
    spec.header(
        new HeaderMatch(Objects.requireNonNull(name, "name"), exact, prefix, regex, present));
    return this;
  }
}
