package dev.hfi.cli.internal;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.FaultInjectionPolicy.Fault;
import dev.hfi.client.FaultInjectionPolicy.HeaderMatch;
import dev.hfi.client.FaultInjectionPolicy.Match;
import dev.hfi.client.FaultInjectionPolicy.Spec;
import dev.hfi.client.FaultInjectionPolicy.StringMatch;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The table row of a policy: {@code NAME PRIORITY TARGET MATCH FAULT AGE}, each cell one short word
 * or phrase.
 *
 * <p>MATCH: {@code POST /api/orders*} ({@code *} = prefix, {@code ~re} = regex), headers as {@code
 * x-user=test}, {@code x-user=te*}, {@code x-user~re} or {@code x-user} (present); {@code <any>}
 * when empty. FAULT: {@code abort 503}, {@code abort grpc 14}, {@code delay 2s}, joined with {@code
 * +}, then {@code 50%} when below 100 and {@code max 2}. TARGET: the node names, or {@code <all>}.
 */
final class PolicySummary {
  static final List<String> HEADER = List.of("NAME", "PRIORITY", "TARGET", "MATCH", "FAULT", "AGE");

  private PolicySummary() {}

  static List<String> row(FaultInjectionPolicy p, Instant now) {
    Spec s = p.spec();
    return List.of(
        p.name(),
        Integer.toString(s == null || s.priority() == null ? 0 : s.priority()),
        target(s),
        match(s == null ? null : s.match()),
        fault(s == null ? null : s.fault()),
        Output.age(p.metadata() == null ? null : p.metadata().creationTimestamp(), now));
  }

  static String target(Spec s) {
    if (s == null || s.target() == null || s.target().nodes() == null) {
      return "<all>";
    }
    return s.target().nodes().isEmpty() ? "<all>" : String.join(",", s.target().nodes());
  }

  static String match(Match m) {
    if (m == null) {
      return "<any>";
    }
    List<String> parts = new ArrayList<>();
    if (m.method() != null) {
      parts.add(string(m.method()));
    }
    if (m.path() != null) {
      parts.add(string(m.path()));
    }
    if (m.headers() != null) {
      for (HeaderMatch h : m.headers()) {
        parts.add(header(h));
      }
    }
    return parts.isEmpty() ? "<any>" : String.join(" ", parts);
  }

  static String fault(Fault f) {
    if (f == null) {
      return "<none>";
    }
    List<String> kinds = new ArrayList<>();
    if (f.delay() != null) {
      kinds.add("delay " + f.delay().fixedDelay());
    }
    if (f.abort() != null) {
      kinds.add(
          f.abort().grpcStatus() != null
              ? "abort grpc " + f.abort().grpcStatus()
              : "abort " + f.abort().httpStatus());
    }
    StringBuilder sb = new StringBuilder(String.join("+", kinds));
    if (f.percentage() != null && f.percentage().compareTo(BigDecimal.valueOf(100)) < 0) {
      sb.append(' ').append(f.percentage().stripTrailingZeros().toPlainString()).append('%');
    }
    if (f.maxInjections() != null) {
      sb.append(" max ").append(f.maxInjections());
    }
    return sb.toString();
  }

  private static String string(StringMatch m) {
    if (m.exact() != null) {
      return m.exact();
    }
    if (m.prefix() != null) {
      return m.prefix() + "*";
    }
    return "~" + m.regex();
  }

  private static String header(HeaderMatch h) {
    if (h.exact() != null) {
      return h.name() + "=" + h.exact();
    }
    if (h.prefix() != null) {
      return h.name() + "=" + h.prefix() + "*";
    }
    if (h.regex() != null) {
      return h.name() + "~" + h.regex();
    }
    return h.name();
  }
}
