package dev.hfi.junit.internal;

import dev.hfi.client.Durations;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.FaultInjectionPolicy.Fault;
import dev.hfi.client.FaultInjectionPolicy.HeaderMatch;
import dev.hfi.client.FaultInjectionPolicy.Match;
import dev.hfi.client.FaultInjectionPolicy.Metadata;
import dev.hfi.client.FaultInjectionPolicy.Spec;
import dev.hfi.client.FaultInjectionPolicy.StringMatch;
import dev.hfi.client.FaultInjectionPolicy.Target;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyCodec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * One fault as a test declared it, through {@code @InjectFault} or the fluent {@code HfiFault},
 * before it becomes a policy: the one mapping from HFI's JUnit vocabulary to {@link
 * FaultInjectionPolicy}. Messages name each setting the way the user wrote it ({@link Vocabulary}).
 * Unset settings are null. Not thread-safe.
 */
public final class FaultSpec {

  /** How messages name each setting: the annotation's attributes or the builder's methods. */
  public record Vocabulary(
      String name,
      String upstream,
      String method,
      String headers,
      String abort,
      String httpStatus,
      String grpcStatus,
      String body,
      String abortHeaders,
      String delay,
      String percentage,
      String maxInjections,
      String priority,
      String duration,
      String noFault) {}

  /** {@code @InjectFault}'s attributes. */
  public static final Vocabulary ANNOTATION =
      new Vocabulary(
          "name",
          "upstream",
          "method",
          "headers",
          "abort",
          "abort.httpStatus",
          "abort.grpcStatus",
          "abort.body",
          "abort.headers",
          "delay",
          "percentage",
          "maxInjections",
          "priority",
          "duration",
          "give abort = @Abort(httpStatus = 503) and/or delay = @Delay(fixedDelay = \"2s\"), or"
              + " policy = \"classpath:...\"");

  /** {@code HfiFault}'s methods. */
  public static final Vocabulary BUILDER =
      new Vocabulary(
          "named",
          "onUpstream",
          "onMethod",
          "onHeader",
          "abort",
          "abort",
          "abortGrpc",
          "abort body",
          "abort headers",
          "delay",
          "percentage",
          "times",
          "priority",
          "expireAfter",
          "call abort(503) and/or delay(Duration.ofSeconds(2))");

  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private String name;
  private String upstream;
  private final List<String> pathSetters = new ArrayList<>();
  private StringMatch path;
  private String method;
  private final List<HeaderMatch> headers = new ArrayList<>();
  private Integer httpStatus;
  private Integer grpcStatus;
  private String body;
  private Map<String, String> abortHeaders;
  private String delay;
  private BigDecimal percentage;
  private Integer maxInjections;
  private Integer priority;
  private String duration;

  /** The policy's name; null = a default derived from the test. */
  public FaultSpec name(String name) {
    this.name = name;
    return this;
  }

  /** The one upstream (data-plane node) that injects; null = every upstream. */
  public FaultSpec upstream(String upstream) {
    this.upstream = upstream;
    return this;
  }

  /** A path condition; {@code setter} names it in messages (at most one may be given). */
  public FaultSpec path(StringMatch path, String setter) {
    this.path = path;
    pathSetters.add(setter);
    return this;
  }

  /** The exact HTTP method. */
  public FaultSpec method(String method) {
    this.method = method;
    return this;
  }

  /** One more header condition (all must hold). */
  public FaultSpec header(HeaderMatch header) {
    headers.add(header);
    return this;
  }

  /** An HTTP abort; null parts are left as they are. */
  public FaultSpec abort(Integer httpStatus, String body, Map<String, String> headers) {
    if (httpStatus != null) {
      this.httpStatus = httpStatus;
    }
    if (body != null) {
      this.body = body;
    }
    if (headers != null) {
      this.abortHeaders = new LinkedHashMap<>(headers);
    }
    return this;
  }

  /** A gRPC abort. */
  public FaultSpec grpcStatus(Integer grpcStatus) {
    this.grpcStatus = grpcStatus;
    return this;
  }

  /** The delay, in the grammar of {@link Durations}. */
  public FaultSpec delay(String delay) {
    this.delay = delay;
    return this;
  }

  /** Share of matching requests, 0..100 with at most 4 decimals; null = 100. */
  public FaultSpec percentage(BigDecimal percentage) {
    this.percentage = percentage;
    return this;
  }

  /** At most this many injections; null = no limit. */
  public FaultSpec maxInjections(Integer maxInjections) {
    this.maxInjections = maxInjections;
    return this;
  }

  /** Priority among policies; null = 0. */
  public FaultSpec priority(Integer priority) {
    this.priority = priority;
    return this;
  }

  /** The policy's lifetime, in the grammar of {@link Durations}; null = no expiry. */
  public FaultSpec duration(String duration) {
    this.duration = duration;
    return this;
  }

  /** The upstream this spec targets, or null. */
  public String upstream() {
    return upstream;
  }

  /** The name set, or null. */
  public String name() {
    return name;
  }

  /**
   * The policy this spec declares; from {@code base} (a policy file) when given, whose values the
   * spec's {@code upstream}, {@code percentage}, {@code maxInjections}, {@code priority}, {@code
   * duration} and abort body and headers override.
   *
   * @param at how messages name the place, e.g. {@code @InjectFault on OrdersTest.retries()}
   * @param defaultName the name when none was set (inline specs only)
   * @param upstreams the upstreams the test class declares
   * @throws ExtensionConfigurationException naming the place, the setting and the fix
   */
  public FaultInjectionPolicy toPolicy(
      String at,
      Vocabulary v,
      String defaultName,
      Set<String> upstreams,
      FaultInjectionPolicy base) {
    if (upstream != null && !upstreams.contains(upstream)) {
      throw misuse(
          at,
          v.upstream(),
          "unknown upstream \""
              + upstream
              + "\"; declared: "
              + upstreams
              + " (declare it in @HfiTest(upstreams = ...) or HfiExtension.newInstance().withUpstream)");
    }
    if (pathSetters.size() > 1) {
      throw misuse(
          at,
          String.join(", ", pathSetters),
          "give at most one path matcher, found " + pathSetters);
    }
    checkAbort(at, v);
    if (delay != null) {
      String problem = Durations.check(v.delay(), delay);
      if (problem != null) {
        throw new ExtensionConfigurationException(at + ": " + problem);
      }
    }
    if (duration != null) {
      String problem = Durations.check(v.duration(), duration);
      if (problem != null) {
        throw new ExtensionConfigurationException(at + ": " + problem);
      }
    }
    if (percentage != null) {
      if (percentage.signum() < 0 || percentage.compareTo(HUNDRED) > 0) {
        throw misuse(at, v.percentage(), percentage.toPlainString() + " is outside 0..100");
      }
      if (percentage.stripTrailingZeros().scale() > 4) {
        throw misuse(
            at,
            v.percentage(),
            percentage.toPlainString()
                + " has more than 4 decimals (the precision is one request per million)");
      }
    }
    if (maxInjections != null && maxInjections < 1) {
      throw misuse(
          at, v.maxInjections(), maxInjections + " must be at least 1 (leave it out: no limit)");
    }
    FaultInjectionPolicy policy =
        base == null ? inline(at, v, defaultName) : overriding(base, at, v);
    try {
      PolicyCodec.validate(policy);
    } catch (InvalidPolicyException e) {
      throw new ExtensionConfigurationException(at + ": invalid policy: " + e.getMessage());
    }
    return policy;
  }

  private void checkAbort(String at, Vocabulary v) {
    if (httpStatus != null && grpcStatus != null) {
      throw misuse(at, v.abort(), "give an HTTP status or a gRPC status, not both");
    }
    if (httpStatus != null && (httpStatus < 200 || httpStatus > 599)) {
      throw misuse(at, v.httpStatus(), "invalid status " + httpStatus + ": must be in 200..599");
    }
    if (grpcStatus != null && (grpcStatus < 0 || grpcStatus > 16)) {
      throw misuse(at, v.grpcStatus(), "invalid status " + grpcStatus + ": must be in 0..16");
    }
  }

  private FaultInjectionPolicy inline(String at, Vocabulary v, String defaultName) {
    if (httpStatus == null && (body != null || abortHeaders != null)) {
      throw misuse(
          at,
          body != null ? v.body() : v.abortHeaders(),
          "an abort body or headers need an HTTP status (" + v.httpStatus() + ")");
    }
    FaultInjectionPolicy.Abort abort =
        httpStatus == null && grpcStatus == null
            ? null
            : new FaultInjectionPolicy.Abort(httpStatus, grpcStatus, body, abortHeaders);
    if (abort == null && delay == null) {
      throw misuse(at, v.abort() + ", " + v.delay(), "no fault: " + v.noFault());
    }
    Match match =
        path == null && method == null && headers.isEmpty()
            ? null
            : new Match(
                path,
                method == null ? null : StringMatch.exact(method),
                headers.isEmpty() ? null : List.copyOf(headers));
    Spec spec =
        new Spec(
            priority == null || priority == 0 ? null : priority,
            target(),
            match,
            new Fault(
                percentage == null || percentage.compareTo(HUNDRED) == 0 ? null : percentage,
                abort,
                delay == null ? null : new FaultInjectionPolicy.Delay(delay),
                maxInjections),
            duration);
    return FaultInjectionPolicy.of(Metadata.named(name == null ? defaultName : name), spec);
  }

  private FaultInjectionPolicy overriding(FaultInjectionPolicy base, String at, Vocabulary v) {
    List<String> fromFileOnly = new ArrayList<>();
    if (name != null) {
      fromFileOnly.add(v.name());
    }
    fromFileOnly.addAll(pathSetters);
    if (method != null) {
      fromFileOnly.add(v.method());
    }
    if (!headers.isEmpty()) {
      fromFileOnly.add(v.headers());
    }
    if (httpStatus != null || grpcStatus != null) {
      fromFileOnly.add(v.abort());
    }
    if (delay != null) {
      fromFileOnly.add(v.delay());
    }
    if (!fromFileOnly.isEmpty()) {
      throw misuse(
          at,
          "policy",
          "the policy file defines the policy's name, match and fault kind; remove "
              + fromFileOnly
              + " or drop policy = ... (upstream, percentage, maxInjections, priority, duration,"
              + " abort.body and abort.headers may override the file)");
    }
    Spec s = base.spec() == null ? new Spec(null, null, null, null, null) : base.spec();
    Fault f = s.fault() == null ? new Fault(null, null, null, null) : s.fault();
    FaultInjectionPolicy.Abort abort = f.abort();
    if (body != null || abortHeaders != null) {
      if (abort == null || abort.httpStatus() == null) {
        throw misuse(
            at,
            body != null ? v.body() : v.abortHeaders(),
            "the policy file has no abort with an httpStatus to give a body or headers to");
      }
      abort =
          new FaultInjectionPolicy.Abort(
              abort.httpStatus(),
              null,
              body != null ? body : abort.body(),
              abortHeaders != null ? abortHeaders : abort.headers());
    }
    Fault fault =
        new Fault(
            percentage != null ? percentage : f.percentage(),
            abort,
            f.delay(),
            maxInjections != null ? maxInjections : f.maxInjections());
    Spec spec =
        new Spec(
            priority != null && priority != 0 ? priority : s.priority(),
            upstream != null ? target() : s.target(),
            s.match(),
            fault,
            duration != null ? duration : s.duration());
    return new FaultInjectionPolicy(base.apiVersion(), base.kind(), base.metadata(), spec, null);
  }

  private Target target() {
    return upstream == null ? null : new Target(Collections.singletonList(upstream));
  }

  private static ExtensionConfigurationException misuse(String at, String field, String message) {
    return new ExtensionConfigurationException(at + ": " + field + ": " + message);
  }
}
