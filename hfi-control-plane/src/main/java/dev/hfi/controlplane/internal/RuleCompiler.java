package dev.hfi.controlplane.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.hfi.client.Durations;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.FaultInjectionPolicy.Abort;
import dev.hfi.client.FaultInjectionPolicy.Fault;
import dev.hfi.client.FaultInjectionPolicy.HeaderMatch;
import dev.hfi.client.FaultInjectionPolicy.Match;
import dev.hfi.client.FaultInjectionPolicy.StringMatch;
import dev.hfi.client.RuleSet;
import dev.hfi.client.internal.Json;
import dev.hfi.client.internal.Limits;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compiles policies into the rule-set JSON of docs/API_REFERENCE.md. Each policy compiles once into
 * a {@link Compiled} rule (its JSON kept), so a new rule set is a sort and a concatenation.
 */
public final class RuleCompiler {
  private static final Comparator<Compiled> ORDER =
      Comparator.comparingInt(Compiled::priority).reversed().thenComparing(Compiled::name);

  private RuleCompiler() {}

  /**
   * One compiled rule: its sort key, JSON, the JSON's UTF-8 size and the instructions of its
   * regexes' RE2 programs (what {@link Limits#ruleSet} counts).
   */
  public record Compiled(
      String name, int priority, String json, long bytes, long regexProgramSize) {}

  /** Compiles one stored (valid) policy. */
  public static Compiled compile(FaultInjectionPolicy p) {
    Fault f = p.spec().fault();
    Match m = p.spec().match();
    BigDecimal pct = f.percentage() == null ? BigDecimal.valueOf(100) : f.percentage();
    Abort a = f.abort();
    AbortJson abort = null;
    if (a != null) {
      List<List<String>> headers = null;
      if (a.headers() != null && !a.headers().isEmpty()) {
        headers = new ArrayList<>();
        for (Map.Entry<String, String> h : a.headers().entrySet()) {
          headers.add(List.of(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        }
      }
      abort = new AbortJson(a.httpStatus(), a.grpcStatus(), a.body(), headers);
    }
    List<HeaderJson> headers = null;
    if (m != null && m.headers() != null && !m.headers().isEmpty()) {
      headers = new ArrayList<>();
      for (HeaderMatch h : m.headers()) {
        headers.add(
            new HeaderJson(
                h.name().toLowerCase(Locale.ROOT), h.exact(), h.prefix(), h.regex(), h.present()));
      }
    }
    List<String> nodes =
        p.spec().target() == null
                || p.spec().target().nodes() == null
                || p.spec().target().nodes().isEmpty()
            ? null
            : p.spec().target().nodes();
    Long expiresAtMs =
        p.status() == null || p.status().expiresAt() == null
            ? null
            : PolicyWrites.parseTimestamp(p.status().expiresAt()).toEpochMilli();
    RuleJson rule =
        new RuleJson(
            p.name(),
            Long.parseLong(p.metadata().resourceVersion()),
            nodes,
            m == null ? null : m.path(),
            m == null ? null : m.method(),
            headers,
            pct.movePointRight(4).intValueExact(),
            abort,
            f.delay() == null ? null : Durations.parse(f.delay().fixedDelay()).toMillis(),
            f.maxInjections(),
            expiresAtMs);
    int priority = p.spec().priority() == null ? 0 : p.spec().priority();
    String json = Json.write(rule);
    long regexes = 0;
    if (m != null) {
      regexes += regexProgramSize(m.path()) + regexProgramSize(m.method());
      if (m.headers() != null) {
        for (HeaderMatch h : m.headers()) {
          regexes += h.regex() == null ? 0 : Limits.regexProgramSize(h.regex());
        }
      }
    }
    return new Compiled(
        p.name(), priority, json, json.getBytes(StandardCharsets.UTF_8).length, regexes);
  }

  private static long regexProgramSize(StringMatch m) {
    return m == null || m.regex() == null ? 0 : Limits.regexProgramSize(m.regex());
  }

  /**
   * The UTF-8 size of the rule set {@link #ruleSet} makes at {@code version} from {@code rules}
   * rules of {@code ruleBytes} bytes together.
   */
  public static long ruleSetBytes(long version, long rules, long ruleBytes) {
    return "{\"version\":,\"rules\":[]}".length()
        + Long.toString(version).length()
        + ruleBytes
        + Math.max(0, rules - 1);
  }

  /** The rule set at {@code version}: rules by priority (descending), then name. */
  public static RuleSet ruleSet(long version, Collection<Compiled> rules) {
    List<Compiled> sorted = new ArrayList<>(rules);
    sorted.sort(ORDER);
    int size = 32;
    for (Compiled c : sorted) {
      size += c.json().length() + 1;
    }
    StringBuilder sb = new StringBuilder(size);
    sb.append("{\"version\":").append(version).append(",\"rules\":[");
    for (int i = 0; i < sorted.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(sorted.get(i).json());
    }
    sb.append("]}");
    return new RuleSet(version, sb.toString(), sorted.size());
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({
    "policy",
    "generation",
    "nodes",
    "path",
    "method",
    "headers",
    "perMillion",
    "abort",
    "delayMs",
    "maxInjections",
    "expiresAtMs"
  })
  record RuleJson(
      String policy,
      long generation,
      List<String> nodes,
      StringMatch path,
      StringMatch method,
      List<HeaderJson> headers,
      int perMillion,
      AbortJson abort,
      Long delayMs,
      Integer maxInjections,
      Long expiresAtMs) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"name", "exact", "prefix", "regex", "present"})
  record HeaderJson(String name, String exact, String prefix, String regex, Boolean present) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"httpStatus", "grpcStatus", "body", "headers"})
  record AbortJson(
      Integer httpStatus, Integer grpcStatus, String body, List<List<String>> headers) {}
}
