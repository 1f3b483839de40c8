package dev.hfi.client;

/**
 * Every error the control plane, its stores and its client can report, with the HTTP status the
 * server answers with and the {@code code} string of the error JSON ({@code
 * {"error":{"code":"NotFound","message":"..."}}}).
 */
public enum ErrorCode {
  /** The request or policy is invalid; the message names the field. */
  INVALID(400, "Invalid"),
  /** The bearer token is missing or wrong. */
  UNAUTHORIZED(401, "Unauthorized"),
  /**
   * The request names a Host this control plane does not serve (the DNS-rebinding guard of an
   * unauthenticated control plane on loopback).
   */
  FORBIDDEN(403, "Forbidden"),
  /** No such policy or route. */
  NOT_FOUND(404, "NotFound"),
  /** A stale {@code resourceVersion}. */
  CONFLICT(409, "Conflict"),
  /** A watch asked for revisions the store no longer keeps. */
  COMPACTED(410, "Compacted"),
  /** The request body exceeds the server's limit. */
  PAYLOAD_TOO_LARGE(413, "PayloadTooLarge"),
  /** The request body is neither JSON nor YAML. */
  UNSUPPORTED_MEDIA_TYPE(415, "UnsupportedMediaType"),
  /** An unexpected server error. */
  INTERNAL(500, "Internal"),
  /** The policy store cannot be reached. */
  UNAVAILABLE(503, "Unavailable"),
  /** Client side: the control plane could not be reached. */
  UNREACHABLE(0, "Unreachable"),
  /** Client side: a data plane rejected (NACKed) the awaited rule set. */
  REJECTED(0, "Rejected"),
  /** Client side: a wait ran out of time. */
  TIMEOUT(0, "Timeout"),
  /**
   * A builder's settings are missing or out of range; the message names every bad setting and how
   * to fix it. Raised by {@code build()} before anything is started or sent.
   */
  INVALID_CONFIGURATION(0, "InvalidConfiguration");

  private final int httpStatus;
  private final String code;

  ErrorCode(int httpStatus, String code) {
    this.httpStatus = httpStatus;
    this.code = code;
  }

  /** The HTTP status the server answers with; 0 for errors that only the client raises. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The {@code error.code} string of the error JSON. */
  public String code() {
    return code;
  }

  /** The code for an error JSON {@code code} string, or {@link #INTERNAL} when unknown. */
  public static ErrorCode fromCode(String code) {
    for (ErrorCode c : values()) {
      if (c.code.equals(code)) {
        return c;
      }
    }
    return INTERNAL;
  }
}
