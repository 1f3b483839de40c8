package dev.hfi.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks a parsed JSON/YAML tree against the shape of a record type (field names and types) before
 * Jackson binds it, so that every unknown field and every wrong type is reported, not only the
 * first one Jackson meets. It returns a copy of the tree without the offending fields, which then
 * binds cleanly, so that the rules of the rest can be checked too.
 *
 * <p>Records, {@code List<T>}, {@code Map<String, T>}, {@code String}, {@code Integer}, {@code
 * BigDecimal} and {@code Boolean} are understood: what the policy model is made of. The rules are
 * the strict mapper's ({@link Json}): no coercion between strings, numbers and booleans.
 */
public final class ShapeCheck {
  private ShapeCheck() {}

  /** A problem with a field: its path ({@code spec.match.headers[0].name}) and what is wrong. */
  public record Problem(String path, String message) {
    @Override
    public String toString() {
      return path + ": " + message;
    }
  }

  /**
   * Adds to {@code problems} every unknown field and wrong type in {@code tree} (an object) for
   * {@code type}, and returns the tree without them.
   */
  public static JsonNode check(JsonNode tree, Class<?> type, List<Problem> problems) {
    return check("", tree, type, problems);
  }

  private static JsonNode check(String path, JsonNode node, Type type, List<Problem> problems) {
    if (node == null || node.isNull()) {
      return node;
    }
    Class<?> raw = raw(type);
    if (raw == String.class) {
      return expect(node.isTextual(), path, node, "a string", problems);
    }
    if (raw == Integer.class) {
      return expect(
          node.isIntegralNumber() && node.canConvertToInt(), path, node, "an integer", problems);
    }
    if (raw == BigDecimal.class) {
      return expect(node.isNumber(), path, node, "a number", problems);
    }
    if (raw == Boolean.class) {
      return expect(node.isBoolean(), path, node, "true or false", problems);
    }
    if (List.class.isAssignableFrom(raw)) {
      if (!node.isArray()) {
        return expect(false, path, node, "a list", problems);
      }
      Type element = argument(type, 0);
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      for (int i = 0; i < node.size(); i++) {
        JsonNode item = check(path + "[" + i + "]", node.get(i), element, problems);
        // A dropped element stays as null so that the indexes of the others stay true.
        out.add(item == null ? JsonNodeFactory.instance.nullNode() : item);
      }
      return out;
    }
    if (Map.class.isAssignableFrom(raw)) {
      if (!node.isObject()) {
        return expect(false, path, node, "an object", problems);
      }
      Type value = argument(type, 1);
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = check(join(path, e.getKey()), e.getValue(), value, problems);
        if (v != null) {
          out.set(e.getKey(), v);
        }
      }
      return out;
    }
    if (raw.isRecord()) {
      if (!node.isObject()) {
        return expect(false, path, node, "an object", problems);
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        RecordComponent field = component(raw, e.getKey());
        if (field == null) {
          problems.add(
              new Problem(join(path, e.getKey()), "unknown field; expected one of: " + names(raw)));
          continue;
        }
        JsonNode v = check(join(path, e.getKey()), e.getValue(), field.getGenericType(), problems);
        if (v != null) {
          out.set(e.getKey(), v);
        }
      }
      return out;
    }
    return node;
  }

  /** {@code node} when {@code ok}, else null and a problem naming the expected type. */
  private static JsonNode expect(
      boolean ok, String path, JsonNode node, String expected, List<Problem> problems) {
    if (ok) {
      return node;
    }
    problems.add(
        new Problem(path.isEmpty() ? "body" : path, "expected " + expected + ", got " + got(node)));
    return null;
  }

  /** How a value the user wrote is named in a message. */
  public static String got(JsonNode n) {
    if (n.isArray()) {
      return "a list";
    }
    if (n.isObject()) {
      return "an object";
    }
    if (n.isTextual()) {
      return "\"" + abbreviate(n.asText()) + "\"";
    }
    if (n.isNumber() || n.isBoolean()) {
      return abbreviate(n.asText());
    }
    return n.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static RecordComponent component(Class<?> record, String name) {
    for (RecordComponent c : record.getRecordComponents()) {
      if (c.getName().equals(name)) {
        return c;
      }
    }
    return null;
  }

  private static String names(Class<?> record) {
    TreeSet<String> names = new TreeSet<>();
    for (RecordComponent c : record.getRecordComponents()) {
      names.add(c.getName());
    }
    return String.join(", ", names);
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  private static Type argument(Type type, int index) {
    if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
      return p.getActualTypeArguments()[index];
    }
    return Object.class;
  }
}
