package dev.hfi.client;

/**
 * A policy or request is invalid (HTTP 400). The message names the field path and how to fix it,
 * e.g. {@code spec.match.path: exactly one of exact, prefix, regex}.
 */
public class InvalidPolicyException extends HfiException {
  private static final long serialVersionUID = 1L;

  /** An exception with the given message. */
  public InvalidPolicyException(String message) {
    super(ErrorCode.INVALID, message);
  }

  /** An exception with the given message and cause. */
  public InvalidPolicyException(String message, Throwable cause) {
    super(ErrorCode.INVALID, message, cause);
  }
}
