package dev.hfi.filter.internal.core;

import dev.hfi.filter.FilterConfigException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Typed access to parsed JSON with errors that name the field ({@code rules[2].abort.body}). */
public final class JsonFields {
  private JsonFields() {}

  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(Object value, String field, Set<String> allowed) {
    if (!(value instanceof Map)) {
      throw new FilterConfigException(field + ": must be a JSON object");
    }
    Map<String, Object> map = (Map<String, Object>) value;
    for (String key : map.keySet()) {
      if (!allowed.contains(key)) {
        throw new FilterConfigException(
            (field.isEmpty() ? "" : field + ".") + key + ": unknown field");
      }
    }
    return map;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object value, String field) {
    if (!(value instanceof List)) {
      throw new FilterConfigException(field + ": must be a JSON array");
    }
    return (List<Object>) value;
  }

  public static String string(Object value, String field) {
    if (!(value instanceof String)) {
      throw new FilterConfigException(field + ": must be a string");
    }
    return (String) value;
  }

  public static long integer(Object value, String field, long min, long max) {
    if (!(value instanceof Long)) {
      throw new FilterConfigException(field + ": must be an integer");
    }
    long v = (Long) value;
    if (v < min || v > max) {
      throw new FilterConfigException(field + ": must be in " + min + ".." + max + ", was " + v);
    }
    return v;
  }

  static String path(String parent, String key) {
    return parent.isEmpty() ? key : parent + "." + key;
  }
}
