package dev.hfi.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hfi.testkit.JournaledRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Reads the filter's journal lines ({@code hfi-journal {json}}) out of a data plane's log. */
public final class JournalLines {
  /** Written by the filter (dev.hfi.filter.internal.core.JournalEntry), kept in step by a test. */
  public static final String PREFIX = "hfi-journal ";

  public static final String BARRIER_PREFIX = "hfi-journal-barrier ";

  public static final String BARRIER_HEADER = "x-hfi-journal-barrier";

  private static final ObjectMapper JSON = new ObjectMapper();

  private JournalLines() {}

  /** The entry in {@code line}, or null when the line holds none (or a malformed one). */
  public static JournaledRequest parse(String line, Function<String, String> upstreamOfNode) {
    int at = line.indexOf(PREFIX);
    if (at < 0) {
      return null;
    }
    JsonNode e;
    try {
      e = JSON.readTree(line.substring(at + PREFIX.length()).trim());
    } catch (IOException ex) {
      return null;
    }
    if (e == null || !e.isObject()) {
      return null;
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (JsonNode pair : e.path("headers")) {
      headers.add(Map.entry(pair.path(0).asText(), pair.path(1).asText()));
    }
    String node = e.path("node").asText();
    String upstream = upstreamOfNode.apply(node);
    return new JournaledRequest(
        upstream != null ? upstream : node,
        Instant.ofEpochMilli(e.path("at").asLong()),
        e.path("method").asText(),
        e.path("path").asText(),
        headers,
        e.path("headersTruncated").asBoolean(false),
        e.hasNonNull("policy") ? e.get("policy").asText() : null,
        Duration.ofMillis(e.path("delayMs").asLong(0)),
        e.path("aborted").asBoolean(false),
        e.path("status").asInt(0),
        Duration.ofMillis(e.path("durationMs").asLong(0)));
  }

  /** The token of a barrier line, or null. */
  public static String barrier(String line) {
    int at = line.indexOf(BARRIER_PREFIX);
    return at < 0 ? null : line.substring(at + BARRIER_PREFIX.length()).trim();
  }
}
