package dev.hfi.testkit;

/**
 * The one exception root of the data-plane testkit. Every failure it reports carries a {@link Code}
 * so callers (the JUnit extension, the CLI) can tell a user's mistake from an environment problem
 * without parsing messages.
 *
 * <p>Messages name the offending setting and say how to fix it, e.g. {@code upstream name: must be
 * a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit,
 * at most 63 characters), got "Orders", e.g. "orders"}.
 */
public class TestkitException extends RuntimeException {

  /** What kind of failure this is. */
  public enum Code {
    /** A builder or container setting is missing or out of range: the caller must change it. */
    INVALID_CONFIGURATION,
    /** The filter's {@code .wasm} could not be found or read. */
    FILTER_NOT_FOUND,
    /** An accessor that needs a running data plane was called before it started. */
    NOT_STARTED,
    /** No Envoy binary was found, or the one named cannot be run. */
    ENVOY_NOT_FOUND
  }

  private final Code code;

  public TestkitException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public TestkitException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
