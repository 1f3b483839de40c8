package dev.hfi.filter.internal.core;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.hfi.filter.FilterConfigException;

/**
 * One string condition: exact, prefix, RE2 regex (compiled once per rule set, linear time) or mere
 * presence. Exact and prefix compare bytes in place; only a regex decodes the value. Immutable.
 */
public final class StringMatcher {
  enum Kind {
    EXACT,
    PREFIX,
    REGEX,
    PRESENT
  }

  private final Kind kind;
  private final byte[] bytes;
  private final Pattern regex;

  private StringMatcher(Kind kind, byte[] bytes, Pattern regex) {
    this.kind = kind;
    this.bytes = bytes;
    this.regex = regex;
  }

  public static StringMatcher exact(String s) {
    return new StringMatcher(Kind.EXACT, Bytes.utf8(s), null);
  }

  public static StringMatcher prefix(String s) {
    return new StringMatcher(Kind.PREFIX, Bytes.utf8(s), null);
  }

  /**
   * @throws FilterConfigException naming {@code field} if {@code s} is not valid RE2 syntax
   */
  public static StringMatcher regex(String s, String field) {
    try {
      return new StringMatcher(Kind.REGEX, null, Pattern.compile(s));
    } catch (PatternSyntaxException e) {
      throw new FilterConfigException(field + ": invalid regex: " + e.getMessage());
    }
  }

  public static StringMatcher present() {
    return new StringMatcher(Kind.PRESENT, null, null);
  }

  /** The literal of an exact or prefix condition, or null. */
  byte[] literal() {
    return kind == Kind.EXACT || kind == Kind.PREFIX ? bytes : null;
  }

  boolean isExact() {
    return kind == Kind.EXACT;
  }

  /** Whether {@code b[off, off+len)} satisfies this condition. */
  public boolean matches(byte[] b, int off, int len) {
    switch (kind) {
      case EXACT:
        return len == bytes.length && Bytes.regionEquals(b, off, bytes, 0, len);
      case PREFIX:
        return len >= bytes.length && Bytes.regionEquals(b, off, bytes, 0, bytes.length);
      case REGEX:
        return regex.matches(Bytes.string(b, off, len));
      default:
        return true;
    }
  }
}
