package dev.hfi.client;

/**
 * A data-plane instance rejected (NACKed) the rule set a client was waiting for; the message names
 * the instance and its error.
 */
public class RuleSetRejectedException extends HfiException {
  private static final long serialVersionUID = 1L;

  /** An exception with the given message. */
  public RuleSetRejectedException(String message) {
    super(ErrorCode.REJECTED, message);
  }

  /** An exception with the given message and cause. */
  public RuleSetRejectedException(String message, Throwable cause) {
    super(ErrorCode.REJECTED, message, cause);
  }
}
