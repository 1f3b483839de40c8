package dev.hfi.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One event of {@code GET /v1/events}. The SSE {@code event:} field equals {@link #type()}; the
 * {@code data:} line is this record as JSON (absent fields omitted).
 *
 * <table>
 *   <caption>Event types and their fields</caption>
 *   <tr><th>type</th><th>fields</th></tr>
 *   <tr><td>{@code policy}</td><td>{@code action} (created, updated, deleted), {@code name}, {@code revision}</td></tr>
 *   <tr><td>{@code ruleset}</td><td>{@code version}, {@code rules} (count)</td></tr>
 *   <tr><td>{@code ack}</td><td>{@code node}, {@code instance}, {@code version}</td></tr>
 *   <tr><td>{@code nack}</td><td>{@code node}, {@code instance}, {@code version} (rejected), {@code appliedVersion}, {@code error}</td></tr>
 *   <tr><td>{@code stale}</td><td>{@code node}, {@code instance}, {@code appliedVersion}, {@code lastSeen}</td></tr>
 *   <tr><td>{@code removed}</td><td>{@code action} ({@code expired}: not seen for the node expiry; {@code deleted}: a data plane's goodbye), {@code node}, {@code instance}, {@code appliedVersion}, {@code lastSeen}</td></tr>
 * </table>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "type",
  "action",
  "name",
  "revision",
  "version",
  "rules",
  "node",
  "instance",
  "appliedVersion",
  "error",
  "lastSeen"
})
public record ControlPlaneEvent(
    String type,
    String action,
    String name,
    Long revision,
    Long version,
    Integer rules,
    String node,
    String instance,
    Long appliedVersion,
    String error,
    String lastSeen) {

  /** A policy was created, updated or deleted at {@code revision}. */
  public static ControlPlaneEvent policy(String action, String name, long revision) {
    return new ControlPlaneEvent(
        "policy", action, name, revision, null, null, null, null, null, null, null);
  }

  /** A new rule set was compiled. */
  public static ControlPlaneEvent ruleSet(long version, int rules) {
    return new ControlPlaneEvent(
        "ruleset", null, null, null, version, rules, null, null, null, null, null);
  }

  /** An instance applied {@code version}. */
  public static ControlPlaneEvent ack(String node, String instance, long version) {
    return new ControlPlaneEvent(
        "ack", null, null, null, version, null, node, instance, null, null, null);
  }

  /** An instance rejected {@code version}, keeping {@code appliedVersion}. */
  public static ControlPlaneEvent nack(
      String node, String instance, long version, long appliedVersion, String error) {
    return new ControlPlaneEvent(
        "nack", null, null, null, version, null, node, instance, appliedVersion, error, null);
  }

  /** An instance stopped polling. */
  public static ControlPlaneEvent stale(
      String node, String instance, long appliedVersion, String lastSeen) {
    return new ControlPlaneEvent(
        "stale", null, null, null, null, null, node, instance, appliedVersion, null, lastSeen);
  }

  /**
   * An instance left {@code GET /v1/nodes}: {@code action} is {@code expired} (not seen for the
   * node expiry) or {@code deleted} (removed through the API).
   */
  public static ControlPlaneEvent removed(
      String node, String instance, long appliedVersion, String lastSeen, String action) {
    return new ControlPlaneEvent(
        "removed", action, null, null, null, null, node, instance, appliedVersion, null, lastSeen);
  }
}
