package dev.hfi.cli.internal;

/**
 * A failure the command has already put into words: the message is printed as is (one line per
 * problem) and the command exits with {@link #exitCode()}.
 */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Exit code for a failure: the server said no, it is unreachable, a wait timed out. */
  public static final int FAILURE = 1;

  /** Exit code for a usage error or invalid input. */
  public static final int USAGE = 2;

  private final int exitCode;

  /** A failure with the given exit code and message. */
  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  /** A failure with the given exit code and message, caused by {@code cause}. */
  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** Invalid input (exit code 2). */
  public static CliException invalid(String message) {
    return new CliException(USAGE, message);
  }

  /** The exit code. */
  public int exitCode() {
    return exitCode;
  }
}
