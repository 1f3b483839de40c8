package dev.hfi.client;

/** A wait for data planes ran out of time; the message names the instances that lagged. */
public class AwaitTimeoutException extends HfiException {
  private static final long serialVersionUID = 1L;

  /** An exception with the given message. */
  public AwaitTimeoutException(String message) {
    super(ErrorCode.TIMEOUT, message);
  }

  /** An exception with the given message and cause. */
  public AwaitTimeoutException(String message, Throwable cause) {
    super(ErrorCode.TIMEOUT, message, cause);
  }
}
