package dev.hfi.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The {@code FaultInjectionPolicy} resource ({@code apiVersion: hfi.dev/v1alpha1}), exactly as in
 * the design: {@code metadata}, {@code spec} (priority, target, match, fault, duration) and a
 * server-set {@code status}.
 *
 * <p>Instances are immutable values; equality is structural. Read and write them with {@link
 * PolicyCodec}; {@link PolicyCodec#validate(FaultInjectionPolicy)} checks every rule of the design
 * and names the offending field. Fields the server sets ({@code metadata.resourceVersion}, {@code
 * metadata.creationTimestamp}, {@code status}) are accepted on input so that a policy read from the
 * server can be applied again.
 *
 * <pre>{@code
 * FaultInjectionPolicy policy = PolicyCodec.parse("""
 *     apiVersion: hfi.dev/v1alpha1
 *     kind: FaultInjectionPolicy
 *     metadata: {name: orders-unavailable}
 *     spec:
 *       match: {path: {prefix: /api/orders}}
 *       fault: {abort: {httpStatus: 503}}
 *     """, PolicyCodec.Format.YAML);
 * }</pre>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
public record FaultInjectionPolicy(
    String apiVersion, String kind, Metadata metadata, Spec spec, Status status) {

  /** The only {@code apiVersion} this release understands. */
  public static final String API_VERSION = "hfi.dev/v1alpha1";

  /** The resource kind. */
  public static final String KIND = "FaultInjectionPolicy";

  /** A policy with the standard apiVersion and kind and no status. */
  public static FaultInjectionPolicy of(Metadata metadata, Spec spec) {
    return new FaultInjectionPolicy(API_VERSION, KIND, metadata, spec, null);
  }

  /** The policy's name ({@code metadata.name}), or null when metadata is missing. */
  public String name() {
    return metadata == null ? null : metadata.name();
  }

  /** The same policy with {@code metadata.resourceVersion} replaced. */
  public FaultInjectionPolicy withResourceVersion(String resourceVersion) {
    Metadata m = metadata == null ? new Metadata(null, null, null, null) : metadata;
    return new FaultInjectionPolicy(
        apiVersion,
        kind,
        new Metadata(m.name(), m.labels(), resourceVersion, m.creationTimestamp()),
        spec,
        status);
  }

  /**
   * {@code metadata}: {@code name} is a DNS-1123 label; {@code resourceVersion} and {@code
   * creationTimestamp} (RFC 3339) are set by the server.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"name", "labels", "resourceVersion", "creationTimestamp"})
  public record Metadata(
      String name, Map<String, String> labels, String resourceVersion, String creationTimestamp) {
    /** Metadata with only a name. */
    public static Metadata named(String name) {
      return new Metadata(name, null, null, null);
    }
  }

  /** {@code spec}: what to match and which fault to inject. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"priority", "target", "match", "fault", "duration"})
  public record Spec(Integer priority, Target target, Match match, Fault fault, String duration) {}

  /** {@code spec.target}: the data-plane nodes the policy applies to; empty = every node. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Target(List<String> nodes) {}

  /** {@code spec.match}: every present condition must hold; absent = any request. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"path", "method", "headers"})
  public record Match(StringMatch path, StringMatch method, List<HeaderMatch> headers) {}

  /** A string matcher: exactly one of {@code exact}, {@code prefix}, {@code regex} (RE2). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"exact", "prefix", "regex"})
  public record StringMatch(String exact, String prefix, String regex) {
    /** Matches the whole string. */
    public static StringMatch exact(String value) {
      return new StringMatch(value, null, null);
    }

    /** Matches strings that start with {@code value}. */
    public static StringMatch prefix(String value) {
      return new StringMatch(null, value, null);
    }

    /** Matches the whole string against an RE2 regular expression. */
    public static StringMatch regex(String value) {
      return new StringMatch(null, null, value);
    }
  }

  /**
   * A header matcher: {@code name} plus one of {@code exact}, {@code prefix}, {@code regex}, {@code
   * present: true}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"name", "exact", "prefix", "regex", "present"})
  public record HeaderMatch(
      String name, String exact, String prefix, String regex, Boolean present) {}

  /**
   * {@code spec.fault}: {@code percentage} (0..100, default 100, at most 4 decimals), {@code abort}
   * and/or {@code delay} (at least one), and an optional {@code maxInjections}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"percentage", "abort", "delay", "maxInjections"})
  public record Fault(BigDecimal percentage, Abort abort, Delay delay, Integer maxInjections) {}

  /**
   * {@code spec.fault.abort}: either {@code httpStatus} (200..599, optional {@code body} and {@code
   * headers}) or {@code grpcStatus} (0..16).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"httpStatus", "grpcStatus", "body", "headers"})
  public record Abort(
      Integer httpStatus, Integer grpcStatus, String body, Map<String, String> headers) {
    /** An HTTP abort with the given status and no body. */
    public static Abort httpStatus(int status) {
      return new Abort(status, null, null, null);
    }
  }

  /** {@code spec.fault.delay}: {@code fixedDelay} as a duration such as {@code 2s} (1ms..1h). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Delay(String fixedDelay) {}

  /**
   * {@code status}, set by the server: when the spec was last set and, with {@code spec.duration},
   * when the policy expires (both RFC 3339).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"specUpdatedAt", "expiresAt"})
  public record Status(String specUpdatedAt, String expiresAt) {}
}
