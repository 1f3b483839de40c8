package dev.hfi.cli.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads the policies of {@code apply -f}: files, directories (their {@code .yaml}, {@code .yml} and
 * {@code .json} files, in name order) and {@code -} (stdin). A file holds one or more documents:
 * YAML separated by {@code ---}, or JSON values one after another; a {@code
 * FaultInjectionPolicyList} (what {@code get -o yaml} prints) stands for its items.
 *
 * <p>Everything is read and checked before anything is applied: syntax (with the line number),
 * unknown fields, types, and the same validation the control plane runs. Every problem is reported,
 * one line each, naming the file, the document's line and the field.
 */
final class PolicyDocuments {
  /** One policy read from {@code source} at {@code line}. */
  record Item(String source, int line, FaultInjectionPolicy policy) {
    /** {@code file:line}, how messages name where a policy came from. */
    String where() {
      return source + ":" + line;
    }
  }

  private static final ObjectMapper YAML = YAMLMapper.builder().build();
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private PolicyDocuments() {}

  /**
   * Reads and validates every policy of {@code sources}.
   *
   * @throws CliException (exit code 2) listing every problem, one per line
   */
  static List<Item> read(List<String> sources, InputStream stdin) {
    List<Item> items = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (String source : sources) {
      if ("-".equals(source)) {
        String text = readStdin(stdin);
        readText("<stdin>", text, looksLikeJson(text), items, errors);
        continue;
      }
      Path path = Path.of(source);
      if (Files.isDirectory(path)) {
        List<Path> files = policyFiles(path);
        if (files.isEmpty()) {
          errors.add("error: " + source + ": the directory holds no .yaml, .yml or .json file");
        }
        for (Path f : files) {
          readFile(f, items, errors);
        }
      } else if (Files.isRegularFile(path)) {
        readFile(path, items, errors);
      } else {
        errors.add("error: " + source + ": no such file or directory");
      }
    }
    if (errors.isEmpty() && items.isEmpty()) {
      errors.add("error: no policies found in " + String.join(", ", sources));
    }
    if (!errors.isEmpty()) {
      throw CliException.invalid(String.join(System.lineSeparator(), errors));
    }
    return items;
  }

  private static void readFile(Path file, List<Item> items, List<String> errors) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      errors.add("error: " + file + ": cannot be read: " + e.getMessage());
      return;
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean json =
        name.endsWith(".json")
            || (!name.endsWith(".yaml") && !name.endsWith(".yml") && looksLikeJson(text));
    readText(file.toString(), text, json, items, errors);
  }

  private static void readText(
      String source, String text, boolean json, List<Item> items, List<String> errors) {
    ObjectMapper mapper = json ? JSON : YAML;
    JsonFactory factory = mapper.getFactory();
    try (JsonParser parser = factory.createParser(text)) {
      while (true) {
        JsonToken token = parser.nextToken();
        if (token == null) {
          break;
        }
        int line = parser.currentTokenLocation().getLineNr();
        JsonNode doc = mapper.readTree(parser);
        if (doc == null || doc.isNull() || doc.isMissingNode()) {
          continue;
        }
        if (doc.isObject() && "FaultInjectionPolicyList".equals(doc.path("kind").asText())) {
          for (JsonNode item : doc.path("items")) {
            check(source, line, item, items, errors);
          }
        } else {
          check(source, line, doc, items, errors);
        }
      }
    } catch (StreamReadException e) {
      errors.add("error: " + source + ": " + syntax(json, e));
    } catch (IOException e) {
      errors.add("error: " + source + ": cannot be read: " + e.getMessage());
    }
  }

  private static void check(
      String source, int line, JsonNode doc, List<Item> items, List<String> errors) {
    String where = source + ":" + line;
    if (!doc.isObject()) {
      errors.add(
          "error: "
              + where
              + ": expected a FaultInjectionPolicy (an object with apiVersion, kind, metadata,"
              + " spec), got "
              + (doc.isArray() ? "a list" : doc.getNodeType().name().toLowerCase(Locale.ROOT)));
      return;
    }
    try {
      FaultInjectionPolicy policy = PolicyCodec.parse(doc.toString(), PolicyCodec.Format.JSON);
      items.add(new Item(source, line, policy));
    } catch (InvalidPolicyException e) {
      JsonNode name = doc.path("metadata").path("name");
      String prefix =
          "error: "
              + where
              + ": "
              + (name.isTextual() && !name.asText().isEmpty()
                  ? "policy \"" + name.asText() + "\" is invalid: "
                  : "");
      for (String problem : e.problems()) {
        errors.add(prefix + problem);
      }
    }
  }

  private static String syntax(boolean json, StreamReadException e) {
    String what = json ? "malformed JSON" : "malformed YAML";
    String original = e.getOriginalMessage();
    original = original == null ? "" : original.lines().findFirst().orElse("").trim();
    JsonLocation at = e.getLocation();
    if (at != null && at.getLineNr() > 0) {
      return what + " at line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + original;
    }
    return what + ": " + original;
  }

  private static List<Path> policyFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(
              f -> {
                String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
              })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw CliException.invalid(
          "error: " + dir + ": cannot list the directory: " + e.getMessage());
    }
  }

  private static String readStdin(InputStream stdin) {
    try {
      return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException(CliException.FAILURE, "error: cannot read stdin: " + e.getMessage());
    }
  }

  private static boolean looksLikeJson(String text) {
    String t = text.stripLeading();
    return t.startsWith("{") || t.startsWith("[");
  }
}
