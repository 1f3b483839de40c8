package dev.hfi.client;

/** The client could not reach the control plane; the message names the address it tried. */
public class ControlPlaneUnreachableException extends HfiException {
  private static final long serialVersionUID = 1L;

  /** An exception with the given message. */
  public ControlPlaneUnreachableException(String message) {
    super(ErrorCode.UNREACHABLE, message);
  }

  /** An exception with the given message and cause. */
  public ControlPlaneUnreachableException(String message, Throwable cause) {
    super(ErrorCode.UNREACHABLE, message, cause);
  }
}
