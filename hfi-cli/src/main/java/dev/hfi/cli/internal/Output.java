package dev.hfi.cli.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.hfi.client.FaultInjectionPolicy;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Help;

/** How results are printed: aligned tables, YAML and JSON, ages the way kubectl writes them. */
final class Output {
  /** {@code -o}: the output formats of {@code get} and {@code nodes}. */
  enum Format {
    table,
    yaml,
    json
  }

  /** The resource name kubectl-style messages use. */
  static final String RESOURCE = "faultinjectionpolicy.hfi.dev";

  private static final int GAP = 3;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
          .build();

  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          // resourceVersion "12" must stay a string when the output is applied again.
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
          .build();

  private Output() {}

  /**
   * Prints {@code rows} under {@code header} in left-aligned columns three spaces apart, through
   * picocli's text table, without trailing blanks.
   */
  static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> row : all) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    Help.Column[] columns = new Help.Column[widths.length];
    for (int i = 0; i < widths.length; i++) {
      // Every column is wider than its widest cell, so nothing wraps.
      columns[i] = new Help.Column(widths[i] + GAP, 0, Help.Column.Overflow.SPAN);
    }
    Help.TextTable table =
        Help.TextTable.forColumns(Help.defaultColorScheme(Help.Ansi.OFF), columns);
    for (List<String> row : all) {
      table.addRowValues(row.toArray(String[]::new));
    }
    for (String line : table.toString().split("\\R")) {
      out.println(line.stripTrailing());
    }
    out.flush();
  }

  /** One policy, or a {@code FaultInjectionPolicyList} of several, as YAML or JSON. */
  static void policies(
      PrintWriter out, Format format, List<FaultInjectionPolicy> items, boolean single) {
    Object value = single ? items.get(0) : list("FaultInjectionPolicyList", items);
    print(out, format, value);
  }

  /** A list object as kubectl prints one: apiVersion, kind and items. */
  static Map<String, Object> list(String kind, List<?> items) {
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("apiVersion", FaultInjectionPolicy.API_VERSION);
    list.put("kind", kind);
    list.put("items", items);
    return list;
  }

  /** {@code value} as YAML or indented JSON. */
  static void print(PrintWriter out, Format format, Object value) {
    try {
      if (format == Format.json) {
        out.println(JSON.writeValueAsString(value));
      } else {
        out.print(YAML.writeValueAsString(value));
      }
      out.flush();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + format + ": " + e.getMessage(), e);
    }
  }

  /**
   * The time since an RFC 3339 timestamp the way kubectl prints ages: {@code 45s}, {@code 3m20s},
   * {@code 5h}, {@code 2d3h}; {@code <unknown>} when absent.
   */
  static String age(String timestamp, Instant now) {
    if (timestamp == null) {
      return "<unknown>";
    }
    try {
      return humanDuration(Duration.between(Instant.parse(timestamp), now));
    } catch (DateTimeParseException e) {
      return "<unknown>";
    }
  }

  /** kubectl's HumanDuration. */
  static String humanDuration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    long m = s / 60;
    long h = m / 60;
    long days = h / 24;
    if (s < 120) {
      return s + "s";
    }
    if (m < 10) {
      return s % 60 == 0 ? m + "m" : m + "m" + s % 60 + "s";
    }
    if (m < 180) {
      return m + "m";
    }
    if (h < 8) {
      return m % 60 == 0 ? h + "h" : h + "h" + m % 60 + "m";
    }
    if (h < 48) {
      return h + "h";
    }
    if (h < 24 * 8) {
      return h % 24 == 0 ? days + "d" : days + "d" + h % 24 + "h";
    }
    if (days < 365 * 2) {
      return days + "d";
    }
    long years = days / 365;
    return days % 365 == 0 ? years + "y" : years + "y" + days % 365 + "d";
  }
}
