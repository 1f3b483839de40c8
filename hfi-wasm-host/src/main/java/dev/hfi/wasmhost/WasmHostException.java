package dev.hfi.wasmhost;

/**
 * The one exception root of the proxy-wasm host adaptor. Its {@link Code} says whose mistake it is;
 * the message names the setting or the step that failed.
 */
public class WasmHostException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure this is. */
  public enum Code {
    /** A builder setting is missing or invalid: the caller must change it. */
    INVALID_CONFIGURATION,
    /** The module could not be instantiated, or refused to start ({@code on_configure}). */
    START_FAILED
  }

  private final Code code;

  /**
   * @param cause what failed underneath, or null
   */
  public WasmHostException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
