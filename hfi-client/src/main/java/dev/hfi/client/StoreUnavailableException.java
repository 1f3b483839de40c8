package dev.hfi.client;

/** The policy store cannot be reached (HTTP 503). */
public class StoreUnavailableException extends HfiException {
  private static final long serialVersionUID = 1L;

  /** An exception with the given message. */
  public StoreUnavailableException(String message) {
    super(ErrorCode.UNAVAILABLE, message);
  }

  /** An exception with the given message and cause. */
  public StoreUnavailableException(String message, Throwable cause) {
    super(ErrorCode.UNAVAILABLE, message, cause);
  }
}
