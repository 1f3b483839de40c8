package dev.hfi.client;

/**
 * A write carried a {@code metadata.resourceVersion} that is no longer current (HTTP 409): read the
 * policy again and retry.
 */
public class ConflictException extends HfiException {
  private static final long serialVersionUID = 1L;

  /** An exception with the given message. */
  public ConflictException(String message) {
    super(ErrorCode.CONFLICT, message);
  }

  /** An exception with the given message and cause. */
  public ConflictException(String message, Throwable cause) {
    super(ErrorCode.CONFLICT, message, cause);
  }
}
