package dev.hfi.filter.internal.core;

/** A condition on one request header (name lower-case); holds if any value of it matches. */
public final class HeaderMatcher {
  private final byte[] name;
  private final StringMatcher value;

  public HeaderMatcher(String name, StringMatcher value) {
    this.name = Bytes.utf8(name);
    this.value = value;
  }

  boolean matches(RequestHeaders headers) {
    for (int i = headers.indexOf(name, 0); i >= 0; i = headers.indexOf(name, i + 1)) {
      if (value.matches(headers.bytes(), headers.valueOffset(i), headers.valueLength(i))) {
        return true;
      }
    }
    return false;
  }
}
