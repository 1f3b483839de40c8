package dev.hfi.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.hfi.client.internal.Json;
import dev.hfi.client.internal.PolicyValidator;
import dev.hfi.client.internal.ShapeCheck;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads and writes {@link FaultInjectionPolicy} as JSON or YAML and validates it.
 *
 * <p>Every failure is an {@link InvalidPolicyException} whose message names the field path, e.g.
 * {@code spec.fault.abort.httpStatus: must be in [200, 600), got 700} or {@code spec.match.paht:
 * unknown field; expected one of: headers, method, path}; every problem found is listed, one per
 * line ({@link InvalidPolicyException#problems()}), wrong types and unknown fields included.
 * Thread-safe; all methods are static.
 *
 * <pre>{@code
 * FaultInjectionPolicy p = PolicyCodec.parse(yamlText, PolicyCodec.Format.YAML); // parses + validates
 * String json = PolicyCodec.toJson(p);
 * }</pre>
 */
public final class PolicyCodec {

  /** The two accepted encodings. */
  public enum Format {
    /** {@code application/json}. */
    JSON,
    /** {@code application/yaml} (also {@code application/x-yaml}, {@code text/yaml}). */
    YAML;

    /** The format for an HTTP {@code Content-Type}, or null when it is neither JSON nor YAML. */
    public static Format fromContentType(String contentType) {
      if (contentType == null) {
        return null;
      }
      String base = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
      return switch (base) {
        case "application/json" -> JSON;
        case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml" -> YAML;
        default -> null;
      };
    }
  }

  private PolicyCodec() {}

  /** Parses one policy from {@code text} and validates it. */
  public static FaultInjectionPolicy parse(String text, Format format) {
    FaultInjectionPolicy policy = read(text, format);
    validate(policy);
    return policy;
  }

  /**
   * Parses one policy without validating its content: only syntax, unknown fields and types are
   * checked. The server uses it to reject a bad body before looking at the policy's rules. When a
   * field is unknown or has the wrong type, the exception lists every such field and also the rule
   * violations of the rest of the policy (those not about the fields already reported), one per
   * line, so that one answer names every problem.
   */
  public static FaultInjectionPolicy read(String text, Format format) {
    ObjectMapper mapper = format == Format.YAML ? Json.YAML : Json.JSON;
    JsonNode tree = tree(text, format, mapper);
    List<ShapeCheck.Problem> shape = new ArrayList<>();
    JsonNode clean = ShapeCheck.check(tree, FaultInjectionPolicy.class, shape);
    FaultInjectionPolicy policy;
    try {
      policy = mapper.treeToValue(clean, FaultInjectionPolicy.class);
    } catch (JsonMappingException e) {
      // Whatever the shape check does not know about, Jackson still catches.
      List<String> problems = new ArrayList<>(shape.stream().map(String::valueOf).toList());
      problems.add(bindingMessage(e));
      throw new InvalidPolicyException(problems);
    } catch (IOException e) {
      throw new InvalidPolicyException("body: cannot be read: " + e.getMessage());
    }
    if (!shape.isEmpty()) {
      List<String> problems = new ArrayList<>(shape.stream().map(String::valueOf).toList());
      for (String rule : PolicyValidator.validate(policy)) {
        String path = rule.split(": ", 2)[0];
        if (shape.stream().noneMatch(s -> related(s.path(), path))) {
          problems.add(rule);
        }
      }
      throw new InvalidPolicyException(problems);
    }
    return policy;
  }

  /** The one object of {@code text}, or the syntax problem. */
  private static JsonNode tree(String text, Format format, ObjectMapper mapper) {
    if (text == null || text.isBlank()) {
      throw new InvalidPolicyException(
          "request body is empty: send one FaultInjectionPolicy as JSON or YAML");
    }
    try {
      List<JsonNode> docs = new ArrayList<>();
      ObjectReader trees =
          mapper.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
      try (JsonParser parser = mapper.createParser(text)) {
        // One value per YAML document (or JSON value); a top-level list stays one value.
        while (parser.nextToken() != null) {
          JsonNode doc = trees.readTree(parser);
          if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
            docs.add(doc);
          }
        }
      }
      if (docs.size() != 1) {
        throw new InvalidPolicyException(
            docs.isEmpty()
                ? "request body is empty: send one FaultInjectionPolicy as JSON or YAML"
                : "body: expected one policy, found " + docs.size() + " documents");
      }
      JsonNode tree = docs.get(0);
      if (!tree.isObject()) {
        throw new InvalidPolicyException(
            "body: expected a FaultInjectionPolicy object, got " + describe(tree));
      }
      return tree;
    } catch (StreamReadException e) {
      throw new InvalidPolicyException(syntaxMessage(format, e));
    } catch (JsonMappingException e) {
      throw new InvalidPolicyException(bindingMessage(e));
    } catch (IOException e) {
      throw new InvalidPolicyException("body: cannot be read: " + e.getMessage());
    }
  }

  /**
   * Whether a rule about {@code rule} may be a consequence of the problem at {@code field} (a field
   * dropped for its type makes its parent look incomplete): the same path, or one inside the other.
   */
  private static boolean related(String field, String rule) {
    return field.equals(rule) || inside(field, rule) || inside(rule, field);
  }

  private static boolean inside(String path, String parent) {
    return path.length() > parent.length()
        && path.startsWith(parent)
        && (path.charAt(parent.length()) == '.' || path.charAt(parent.length()) == '[');
  }

  /**
   * Checks every rule of the design and throws {@link InvalidPolicyException} listing each
   * violation with its field path, one per line.
   */
  public static void validate(FaultInjectionPolicy policy) {
    List<String> errors = PolicyValidator.validate(policy);
    if (!errors.isEmpty()) {
      throw new InvalidPolicyException(errors);
    }
  }

  /** Compact single-line JSON. */
  public static String toJson(FaultInjectionPolicy policy) {
    return Json.write(policy);
  }

  /** Block-style YAML, as {@code kubectl get -o yaml} prints it. */
  public static String toYaml(FaultInjectionPolicy policy) {
    try {
      return Json.YAML.writeValueAsString(policy);
    } catch (JsonProcessingException e) {
      throw new HfiException(ErrorCode.INTERNAL, "cannot write YAML: " + e.getMessage(), e);
    }
  }

  private static String describe(JsonNode n) {
    if (n.isArray()) {
      return "a list";
    }
    if (n.isTextual()) {
      return "the string \"" + abbreviate(n.asText()) + "\"";
    }
    return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + abbreviate(n.toString());
  }

  private static String syntaxMessage(Format format, StreamReadException e) {
    String what = format == Format.YAML ? "malformed YAML" : "malformed JSON";
    String original = e.getOriginalMessage();
    if (original != null) {
      original = original.lines().findFirst().orElse(original).trim();
    }
    if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
      return what
          + " at line "
          + e.getLocation().getLineNr()
          + ", column "
          + e.getLocation().getColumnNr()
          + ": "
          + original;
    }
    return what + ": " + original;
  }

  private static String bindingMessage(JsonMappingException e) {
    String path = path(e);
    if (e instanceof UnrecognizedPropertyException u) {
      Collection<Object> known = u.getKnownPropertyIds();
      String expected =
          known == null || known.isEmpty()
              ? ""
              : "; expected one of: "
                  + new TreeSet<>(known.stream().map(String::valueOf).toList())
                      .stream().collect(Collectors.joining(", "));
      return path + ": unknown field" + expected;
    }
    if (e instanceof InvalidFormatException f) {
      return path
          + ": expected "
          + typeName(f.getTargetType())
          + ", got "
          + abbreviate(String.valueOf(f.getValue()));
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return path + ": expected " + typeName(m.getTargetType());
    }
    String original = e.getOriginalMessage();
    return path
        + ": "
        + (original == null ? "invalid value" : original.lines().findFirst().orElse(""));
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.isEmpty() ? "body" : sb.toString();
  }

  private static String typeName(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == BigDecimal.class || type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (List.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    return Map.class.isAssignableFrom(type) || type.isRecord() ? "an object" : type.getSimpleName();
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }
}
