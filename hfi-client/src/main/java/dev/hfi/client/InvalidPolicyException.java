package dev.hfi.client;

import java.util.List;

/**
 * A policy or request is invalid (HTTP 400). The message names the field path and how to fix it,
 * e.g. {@code spec.match.path: exactly one of exact, prefix, regex}; with several problems, it
 * lists them one per line, and {@link #problems()} holds them one by one.
 */
public class InvalidPolicyException extends HfiException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** An exception with the given message (one problem per line). */
  public InvalidPolicyException(String message) {
    super(ErrorCode.INVALID, message);
    this.problems = List.of(String.valueOf(message).split("\n"));
  }

  /** An exception with the given message and cause. */
  public InvalidPolicyException(String message, Throwable cause) {
    super(ErrorCode.INVALID, message, cause);
    this.problems = List.of(String.valueOf(message).split("\n"));
  }

  /**
   * An exception listing {@code problems} (at least one), each naming its field: the message has
   * one per line.
   */
  public InvalidPolicyException(List<String> problems) {
    super(ErrorCode.INVALID, String.join("\n", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("an InvalidPolicyException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem, one per element, in the order found; never empty. */
  public List<String> problems() {
    return problems;
  }
}
