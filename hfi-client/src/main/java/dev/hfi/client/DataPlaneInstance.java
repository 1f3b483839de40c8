package dev.hfi.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One data-plane instance (one filter VM) as {@code GET /v1/nodes} lists it.
 *
 * @param node the data plane's node name
 * @param instance the instance id (one per Envoy worker)
 * @param appliedVersion the rule-set version it last reported as applied (ACK); 0 = none yet
 * @param status {@code ACK}, or {@code NACK} when it reported a rejected version
 * @param rejectedVersion the version it rejected, when {@code NACK}
 * @param error why it rejected it, when {@code NACK}
 * @param stale true when it stopped polling for longer than the server's stale timeout
 * @param lastSeen when it last polled (RFC 3339)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "node",
  "instance",
  "appliedVersion",
  "status",
  "rejectedVersion",
  "error",
  "stale",
  "lastSeen"
})
public record DataPlaneInstance(
    String node,
    String instance,
    long appliedVersion,
    String status,
    Long rejectedVersion,
    String error,
    boolean stale,
    String lastSeen) {

  /** {@code node/instance}, the way messages name an instance. */
  public String id() {
    return node + "/" + instance;
  }
}
