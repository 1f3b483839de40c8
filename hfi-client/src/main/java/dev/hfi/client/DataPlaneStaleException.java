package dev.hfi.client;

/**
 * A data-plane instance that a client was waiting for stopped polling the control plane (it is
 * shown {@code STALE} in {@code /v1/nodes}), so it cannot apply the rule set; the message names the
 * instance ({@code node/instance}) and when it was last seen.
 */
public class DataPlaneStaleException extends HfiException {
  private static final long serialVersionUID = 1L;

  /** An exception with the given message. */
  public DataPlaneStaleException(String message) {
    super(ErrorCode.STALE, message);
  }
}
