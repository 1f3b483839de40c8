package dev.hfi.filter;

/**
 * A rule set or plugin configuration the filter cannot use. The message names the field and what is
 * wrong with it; it is what a NACK reports to the control plane.
 */
public final class FilterConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FilterConfigException(String message) {
    super(message);
  }
}
