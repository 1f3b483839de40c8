package dev.hfi.filter;

import dev.hfi.filter.internal.core.Backoff;
import dev.hfi.filter.internal.core.Json;
import dev.hfi.filter.internal.core.JsonFields;
import java.util.Map;
import java.util.Set;

/**
 * The filter's plugin configuration (docs/API_REFERENCE.md): the filter's own reader ({@link
 * #decode}), with defaults for absent fields, and the one writer ({@link #forNode}, {@link
 * #toJson}) that every data plane uses (the Envoy bootstrap, the embedded data plane), so that what
 * is written is what the filter reads.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * PluginConfig config = PluginConfig.decode("{\"node\":\"orders\",\"deferStart\":true}");
 * config.node();       // "orders"
 * config.cluster();    // "hfi_control_plane", the default
 *
 * String json = PluginConfig.forNode("hfi_control_plane", "cp:8080", "orders", 30000, null)
 *     .withJournal(true)
 *     .toJson();
 * }</pre>
 */
public final class PluginConfig {
  private static final Set<String> FIELDS =
      Set.of(
          "cluster",
          "authority",
          "node",
          "pollTimeoutMs",
          "maxBackoffMs",
          "token",
          "deferStart",
          "journal");

  private final String cluster;
  private final String authority;
  private final String node;
  private final int pollTimeoutMs;
  private final long maxBackoffMs;
  private final String token;
  private final boolean deferStart;
  private final boolean journal;

  private PluginConfig(
      String cluster,
      String authority,
      String node,
      int pollTimeoutMs,
      long maxBackoffMs,
      String token,
      boolean deferStart,
      boolean journal) {
    this.cluster = cluster;
    this.authority = authority;
    this.node = node;
    this.pollTimeoutMs = pollTimeoutMs;
    this.maxBackoffMs = maxBackoffMs;
    this.token = token;
    this.deferStart = deferStart;
    this.journal = journal;
  }

  /**
   * Decodes the configuration; an empty text means all defaults.
   *
   * @throws FilterConfigException naming the field
   */
  public static PluginConfig decode(String json) {
    if (json.trim().isEmpty()) {
      return new PluginConfig(
          "hfi_control_plane",
          "hfi-control-plane",
          "default",
          30000,
          Backoff.DEFAULT_MAX_MS,
          null,
          false,
          false);
    }
    Map<String, Object> m = JsonFields.object(Json.parse(json), "plugin configuration", FIELDS);
    String cluster = m.containsKey("cluster") ? nonEmpty(m, "cluster") : "hfi_control_plane";
    String authority = m.containsKey("authority") ? nonEmpty(m, "authority") : "hfi-control-plane";
    String node = m.containsKey("node") ? nonEmpty(m, "node") : "default";
    int poll =
        m.containsKey("pollTimeoutMs")
            ? (int) JsonFields.integer(m.get("pollTimeoutMs"), "pollTimeoutMs", 1, 600_000)
            : 30000;
    long maxBackoff =
        m.containsKey("maxBackoffMs")
            ? JsonFields.integer(m.get("maxBackoffMs"), "maxBackoffMs", 100, 300_000)
            : Backoff.DEFAULT_MAX_MS;
    String token = m.containsKey("token") ? nonEmpty(m, "token") : null;
    boolean defer = flag(m, "deferStart");
    boolean journal = flag(m, "journal");
    return new PluginConfig(cluster, authority, node, poll, maxBackoff, token, defer, journal);
  }

  /**
   * A configuration to write for {@code node}; the backoff cap takes the filter's default and
   * {@code deferStart} is off.
   *
   * @param token bearer token for the control plane, or null
   */
  public static PluginConfig forNode(
      String cluster, String authority, String node, long pollTimeoutMs, String token) {
    return new PluginConfig(
        cluster, authority, node, (int) pollTimeoutMs, Backoff.DEFAULT_MAX_MS, token, false, false);
  }

  /** The same configuration with {@link #deferStart()} set. */
  public PluginConfig withDeferStart(boolean defer) {
    return new PluginConfig(
        cluster, authority, node, pollTimeoutMs, maxBackoffMs, token, defer, journal);
  }

  /** The same configuration with {@link #journal()} set. */
  public PluginConfig withJournal(boolean on) {
    return new PluginConfig(
        cluster, authority, node, pollTimeoutMs, maxBackoffMs, token, deferStart, on);
  }

  /**
   * The configuration as the JSON {@link #decode} reads back to an equal configuration: the fields
   * in a fixed order, {@code maxBackoffMs}, {@code deferStart} and {@code journal} only when not
   * the default.
   */
  public String toJson() {
    StringBuilder sb = new StringBuilder(128);
    sb.append("{\"cluster\":");
    quote(sb, cluster);
    sb.append(",\"authority\":");
    quote(sb, authority);
    sb.append(",\"node\":");
    quote(sb, node);
    sb.append(",\"pollTimeoutMs\":").append(pollTimeoutMs);
    if (maxBackoffMs != Backoff.DEFAULT_MAX_MS) {
      sb.append(",\"maxBackoffMs\":").append(maxBackoffMs);
    }
    if (token != null) {
      sb.append(",\"token\":");
      quote(sb, token);
    }
    if (deferStart) {
      sb.append(",\"deferStart\":true");
    }
    if (journal) {
      sb.append(",\"journal\":true");
    }
    return sb.append('}').toString();
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PluginConfig p
        && cluster.equals(p.cluster)
        && authority.equals(p.authority)
        && node.equals(p.node)
        && pollTimeoutMs == p.pollTimeoutMs
        && maxBackoffMs == p.maxBackoffMs
        && java.util.Objects.equals(token, p.token)
        && deferStart == p.deferStart
        && journal == p.journal;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(cluster, authority, node, pollTimeoutMs, token);
  }

  private static boolean flag(Map<String, Object> m, String field) {
    if (!m.containsKey(field)) {
      return false;
    }
    if (!(m.get(field) instanceof Boolean)) {
      throw new FilterConfigException(field + ": must be true or false");
    }
    return (Boolean) m.get(field);
  }

  private static String nonEmpty(Map<String, Object> m, String field) {
    String s = JsonFields.string(m.get(field), field);
    if (s.isEmpty()) {
      throw new FilterConfigException(field + ": must not be empty");
    }
    return s;
  }

  public String cluster() {
    return cluster;
  }

  public String authority() {
    return authority;
  }

  public String node() {
    return node;
  }

  public int pollTimeoutMs() {
    return pollTimeoutMs;
  }

  /** The longest wait between two failed polls. */
  public long maxBackoffMs() {
    return maxBackoffMs;
  }

  /** Bearer token for the control plane, or null. */
  public String token() {
    return token;
  }

  /**
   * Whether to wait for the first HTTP context before setting a timer or calling out: for hosts
   * that cannot do either during {@code proxy_on_configure} (proxy-wasm-java-host 0.0.5).
   */
  public boolean deferStart() {
    return deferStart;
  }

  /**
   * Whether the filter writes a request journal entry for every request (docs/FILTER.md, "Request
   * journal"): off by default, so a production proxy pays nothing for it; test data planes turn it
   * on.
   */
  public boolean journal() {
    return journal;
  }
}
