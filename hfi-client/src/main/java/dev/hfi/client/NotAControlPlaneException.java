package dev.hfi.client;

/**
 * Something answers at the control plane's address, but not as an HFI control plane: an error
 * without HFI's JSON error body, or an answer that is not the JSON HFI sends. Another service on
 * that port, or a proxy in between that failed. The message names the address, the request and what
 * came back.
 */
public class NotAControlPlaneException extends ControlPlaneUnreachableException {
  private static final long serialVersionUID = 1L;

  /** An exception with the given message. */
  public NotAControlPlaneException(String message) {
    super(message);
  }

  /** An exception with the given message and cause. */
  public NotAControlPlaneException(String message, Throwable cause) {
    super(message, cause);
  }
}
