package dev.hfi.client;

/**
 * The root of every exception of the control-plane module (server, stores and client). It carries
 * an {@link ErrorCode}, which fixes the HTTP status and the error JSON {@code code}.
 */
public class HfiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  /** An exception with the given code and message. */
  public HfiException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  /** An exception with the given code, message and cause. */
  public HfiException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** What went wrong, as a code. */
  public ErrorCode code() {
    return code;
  }
}
