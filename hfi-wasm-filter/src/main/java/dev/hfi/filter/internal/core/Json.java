package dev.hfi.filter.internal.core;

import dev.hfi.filter.FilterConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader producing {@code Map<String, Object>}, {@code List<Object>}, {@code
 * String}, {@code Long}, {@code Double}, {@code Boolean} and {@code null}.
 *
 * <p>Hand-written because the filter is compiled by TeaVM, where reflection-based libraries
 * (Jackson) do not work, and it only has to read two small documents (rule set, plugin config). Not
 * thread-safe per instance; the static entry point is.
 */
public final class Json {
  /**
   * Deepest nesting accepted (a rule set needs 5): parsing recurses, and running out of Wasm stack
   * would trap instead of rejecting the text.
   */
  static final int MAX_DEPTH = 64;

  /**
   * Most values accepted in one text (a rule set of 10,000 rules has about 300,000): every value is
   * held in the heap until decoding ends, and TeaVM's heap has a maximum.
   */
  static final int MAX_VALUES = 1_000_000;

  private final String s;
  private int pos;
  private int depth;
  private int values;

  private Json(String s) {
    this.s = s;
  }

  /**
   * Parses one JSON value that spans the whole text.
   *
   * @throws FilterConfigException naming the offending position
   */
  public static Object parse(String text) {
    Json p = new Json(text);
    p.skipWs();
    Object v = p.value();
    p.skipWs();
    if (p.pos != text.length()) {
      throw p.error("unexpected trailing text");
    }
    return v;
  }

  private Object value() {
    if (pos >= s.length()) {
      throw error("unexpected end of input");
    }
    if (++values > MAX_VALUES) {
      throw error("more than " + MAX_VALUES + " values");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        {
          enter();
          Map<String, Object> map = object();
          depth--;
          return map;
        }
      case '[':
        {
          enter();
          List<Object> list = array();
          depth--;
          return list;
        }
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character '" + c + "'");
    }
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private Map<String, Object> object() {
    Map<String, Object> map = new LinkedHashMap<>();
    pos++;
    skipWs();
    if (peek() == '}') {
      pos++;
      return map;
    }
    while (true) {
      skipWs();
      if (peek() != '"') {
        throw error("expected a field name");
      }
      String key = string();
      skipWs();
      expect(':');
      skipWs();
      if (map.containsKey(key)) {
        throw error("duplicate field \"" + key + "\"");
      }
      map.put(key, value());
      skipWs();
      char c = next();
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array() {
    List<Object> list = new ArrayList<>();
    pos++;
    skipWs();
    if (peek() == ']') {
      pos++;
      return list;
    }
    while (true) {
      skipWs();
      list.add(value());
      skipWs();
      char c = next();
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() {
    pos++;
    StringBuilder sb = null;
    int start = pos;
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos);
      if (c == '"') {
        String out = sb == null ? s.substring(start, pos) : sb.append(s, start, pos).toString();
        pos++;
        return out;
      }
      if (c < 0x20) {
        throw error("control character in string");
      }
      if (c == '\\') {
        if (sb == null) {
          sb = new StringBuilder();
        }
        sb.append(s, start, pos);
        pos++;
        char e = next();
        switch (e) {
          case '"':
          case '\\':
          case '/':
            sb.append(e);
            break;
          case 'b':
            sb.append('\b');
            break;
          case 'f':
            sb.append('\f');
            break;
          case 'n':
            sb.append('\n');
            break;
          case 'r':
            sb.append('\r');
            break;
          case 't':
            sb.append('\t');
            break;
          case 'u':
            if (pos + 4 > s.length()) {
              throw error("truncated \\u escape");
            }
            try {
              sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            } catch (NumberFormatException ex) {
              throw error("bad \\u escape");
            }
            pos += 4;
            break;
          default:
            throw error("bad escape '\\" + e + "'");
        }
        start = pos;
      } else {
        pos++;
      }
    }
  }

  private Object number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    boolean fraction = false;
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c >= '0' && c <= '9') {
        pos++;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        fraction = true;
        pos++;
      } else {
        break;
      }
    }
    String text = s.substring(start, pos);
    try {
      return fraction ? (Object) Double.parseDouble(text) : (Object) Long.parseLong(text);
    } catch (NumberFormatException e) {
      pos = start;
      throw error("bad number '" + text + "'");
    }
  }

  private Object literal(String word, Object value) {
    if (!s.startsWith(word, pos)) {
      throw error("unexpected token");
    }
    pos += word.length();
    return value;
  }

  private void skipWs() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      pos++;
    }
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private char next() {
    if (pos >= s.length()) {
      throw error("unexpected end of input");
    }
    return s.charAt(pos++);
  }

  private void expect(char c) {
    if (next() != c) {
      pos--;
      throw error("expected '" + c + "'");
    }
  }

  private FilterConfigException error(String what) {
    return new FilterConfigException("invalid JSON at offset " + pos + ": " + what);
  }
}
