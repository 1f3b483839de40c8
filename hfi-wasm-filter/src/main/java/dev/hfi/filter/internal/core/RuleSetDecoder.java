package dev.hfi.filter.internal.core;

import dev.hfi.filter.FilterConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes the compiled rule set (docs/API_REFERENCE.md) completely, validating every field, so that
 * a rule set is either fully usable or rejected with a message naming the field. Rules targeted at
 * other nodes are dropped here, once per rule set. Stateless.
 *
 * <pre>{@code
 * RuleSet rs = RuleSetDecoder.decode("{\"version\":3,\"rules\":[]}", "orders-proxy");
 * }</pre>
 */
public final class RuleSetDecoder {
  // The fields this decoder knows, one set per object: RuleSetContractTest (hfi-control-plane)
  // pins them to what RuleCompiler writes.

  /** The rule set's own fields. */
  public static final Set<String> TOP = Set.of("version", "rules");

  /** A rule's fields. */
  public static final Set<String> RULE =
      Set.of(
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
          "expiresAtMs");

  /** A path or method matcher's fields. */
  public static final Set<String> MATCHER = Set.of("exact", "prefix", "regex");

  /** A header matcher's fields. */
  public static final Set<String> HEADER = Set.of("name", "exact", "prefix", "regex", "present");

  /** An abort's fields. */
  public static final Set<String> ABORT = Set.of("httpStatus", "grpcStatus", "body", "headers");

  private RuleSetDecoder() {}

  /**
   * Decodes {@code json} for the data plane named {@code node}.
   *
   * @throws FilterConfigException if anything is malformed; the message names the field
   */
  public static RuleSet decode(String json, String node) {
    Map<String, Object> top = JsonFields.object(Json.parse(json), "", TOP);
    if (!top.containsKey("version")) {
      throw new FilterConfigException("version: required");
    }
    long version = JsonFields.integer(top.get("version"), "version", 1, Long.MAX_VALUE);
    List<Object> list = JsonFields.list(top.get("rules"), "rules");
    List<Rule> rules = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Rule r = rule(list.get(i), "rules[" + i + "]", node);
      if (r != null) {
        rules.add(r);
      }
    }
    return new RuleSet(version, rules.toArray(new Rule[0]));
  }

  /** Reads only the version, for reporting a NACK of a rule set that does not decode. */
  public static long versionOf(String json) {
    try {
      Object top = Json.parse(json);
      if (top instanceof Map && ((Map<?, ?>) top).get("version") instanceof Long) {
        return (Long) ((Map<?, ?>) top).get("version");
      }
    } catch (FilterConfigException e) {
      return 0;
    }
    return 0;
  }

  private static Rule rule(Object value, String at, String node) {
    Map<String, Object> m = JsonFields.object(value, at, RULE);
    String policy = JsonFields.string(m.get("policy"), at + ".policy");
    if (policy.isEmpty()) {
      throw new FilterConfigException(at + ".policy: must not be empty");
    }
    long generation =
        m.containsKey("generation")
            ? JsonFields.integer(m.get("generation"), at + ".generation", 0, Long.MAX_VALUE)
            : 0;
    boolean forUs = true;
    if (m.containsKey("nodes")) {
      List<Object> nodes = JsonFields.list(m.get("nodes"), at + ".nodes");
      forUs = nodes.isEmpty();
      for (int i = 0; i < nodes.size(); i++) {
        forUs |= node.equals(JsonFields.string(nodes.get(i), at + ".nodes[" + i + "]"));
      }
    }
    StringMatcher path = m.containsKey("path") ? matcher(m.get("path"), at + ".path") : null;
    StringMatcher method =
        m.containsKey("method") ? matcher(m.get("method"), at + ".method") : null;
    HeaderMatcher[] headers = new HeaderMatcher[0];
    if (m.containsKey("headers")) {
      List<Object> hs = JsonFields.list(m.get("headers"), at + ".headers");
      headers = new HeaderMatcher[hs.size()];
      for (int i = 0; i < hs.size(); i++) {
        headers[i] = header(hs.get(i), at + ".headers[" + i + "]");
      }
    }
    int perMillion =
        m.containsKey("perMillion")
            ? (int) JsonFields.integer(m.get("perMillion"), at + ".perMillion", 0, 1_000_000)
            : 1_000_000;
    int delayMs =
        m.containsKey("delayMs")
            ? (int) JsonFields.integer(m.get("delayMs"), at + ".delayMs", 1, 3_600_000)
            : 0;
    Rule.Abort abort = m.containsKey("abort") ? abort(m.get("abort"), at + ".abort", policy) : null;
    if (abort == null && delayMs == 0) {
      throw new FilterConfigException(at + ": needs at least one of abort and delayMs");
    }
    long max =
        m.containsKey("maxInjections")
            ? JsonFields.integer(m.get("maxInjections"), at + ".maxInjections", 0, Long.MAX_VALUE)
            : Rule.UNLIMITED;
    long expires =
        m.containsKey("expiresAtMs")
            ? JsonFields.integer(m.get("expiresAtMs"), at + ".expiresAtMs", 0, Long.MAX_VALUE)
            : Long.MAX_VALUE;
    if (!forUs) {
      return null;
    }
    return new Rule(
        policy, generation, path, method, headers, perMillion, abort, delayMs, max, expires);
  }

  private static StringMatcher matcher(Object value, String at) {
    Map<String, Object> m = JsonFields.object(value, at, MATCHER);
    if (m.size() != 1) {
      throw new FilterConfigException(at + ": needs exactly one of exact, prefix, regex");
    }
    return stringMatcher(m, at);
  }

  private static StringMatcher stringMatcher(Map<String, Object> m, String at) {
    if (m.containsKey("exact")) {
      return StringMatcher.exact(JsonFields.string(m.get("exact"), at + ".exact"));
    }
    if (m.containsKey("prefix")) {
      return StringMatcher.prefix(JsonFields.string(m.get("prefix"), at + ".prefix"));
    }
    return StringMatcher.regex(JsonFields.string(m.get("regex"), at + ".regex"), at + ".regex");
  }

  private static HeaderMatcher header(Object value, String at) {
    Map<String, Object> m = JsonFields.object(value, at, HEADER);
    String name = JsonFields.string(m.get("name"), at + ".name");
    if (name.isEmpty() || !name.equals(name.toLowerCase())) {
      throw new FilterConfigException(at + ".name: must be a non-empty lower-case header name");
    }
    if (m.size() != 2) {
      throw new FilterConfigException(
          at + ": needs exactly one of exact, prefix, regex, present besides name");
    }
    if (m.containsKey("present")) {
      if (!Boolean.TRUE.equals(m.get("present"))) {
        throw new FilterConfigException(at + ".present: must be true");
      }
      return new HeaderMatcher(name, StringMatcher.present());
    }
    return new HeaderMatcher(name, stringMatcher(m, at));
  }

  private static Rule.Abort abort(Object value, String at, String policy) {
    Map<String, Object> m = JsonFields.object(value, at, ABORT);
    boolean http = m.containsKey("httpStatus");
    boolean grpc = m.containsKey("grpcStatus");
    if (http == grpc) {
      throw new FilterConfigException(at + ": needs exactly one of httpStatus and grpcStatus");
    }
    int status =
        http ? (int) JsonFields.integer(m.get("httpStatus"), at + ".httpStatus", 200, 599) : 200;
    int grpcStatus =
        grpc ? (int) JsonFields.integer(m.get("grpcStatus"), at + ".grpcStatus", 0, 16) : -1;
    byte[] body =
        m.containsKey("body")
            ? Bytes.utf8(JsonFields.string(m.get("body"), at + ".body"))
            : new byte[0];
    List<String> pairs = new ArrayList<>();
    if (m.containsKey("headers")) {
      List<Object> hs = JsonFields.list(m.get("headers"), at + ".headers");
      for (int i = 0; i < hs.size(); i++) {
        List<Object> pair = JsonFields.list(hs.get(i), at + ".headers[" + i + "]");
        if (pair.size() != 2) {
          throw new FilterConfigException(at + ".headers[" + i + "]: must be a [name, value] pair");
        }
        pairs.add(JsonFields.string(pair.get(0), at + ".headers[" + i + "][0]"));
        pairs.add(JsonFields.string(pair.get(1), at + ".headers[" + i + "][1]"));
      }
    }
    pairs.add("x-hfi-fault");
    pairs.add(policy);
    return new Rule.Abort(
        status, grpcStatus, body, RequestHeaders.encode(pairs.toArray(new String[0])));
  }
}
