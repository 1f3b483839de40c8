package dev.hfi.client;

/** No policy has the requested name (HTTP 404). */
public class PolicyNotFoundException extends HfiException {
  private static final long serialVersionUID = 1L;

  /** An exception with the given message. */
  public PolicyNotFoundException(String message) {
    super(ErrorCode.NOT_FOUND, message);
  }

  /** An exception with the given message and cause. */
  public PolicyNotFoundException(String message, Throwable cause) {
    super(ErrorCode.NOT_FOUND, message, cause);
  }
}
