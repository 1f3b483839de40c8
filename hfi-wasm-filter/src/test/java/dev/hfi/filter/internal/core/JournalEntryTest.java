package dev.hfi.filter.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalEntryTest {
  private static RequestHeaders headers(String... pairs) {
    byte[] map = RequestHeaders.encode(pairs);
    RequestHeaders h = new RequestHeaders();
    System.arraycopy(map, 0, h.buffer(map.length), 0, map.length);
    h.reset(map.length);
    return h;
  }

  @Test
  void anEntryIsOneLineOfJsonWithControlCharactersEscaped() {
    JournalEntry e =
        JournalEntry.of(
            "orders", 1000, headers(":method", "GET", ":path", "/a\nb", "x-v", "tab\there\\"));
    e.faulted("p", 0, true);
    assertThat(e.line(503, 1007))
        .isEqualTo(
            "hfi-journal {\"node\":\"orders\",\"at\":1000,\"method\":\"GET\",\"path\":\"/a\\u000ab\","
                + "\"headers\":[[\"x-v\",\"tab\\u0009here\\\\\"]],\"policy\":\"p\",\"aborted\":true,"
                + "\"status\":503,\"durationMs\":7}")
        .doesNotContain("\n");
  }

  @Test
  void headersAreCappedInNumberAndLength() {
    List<String> pairs = new ArrayList<>(List.of(":method", "GET", ":path", "/"));
    for (int i = 0; i < JournalEntry.MAX_HEADERS + 5; i++) {
      pairs.add("h" + i);
      pairs.add(i == 0 ? "v".repeat(1000) : "v");
    }
    String line = JournalEntry.of("n", 0, headers(pairs.toArray(new String[0]))).line(200, 0);
    assertThat(line).contains("\"h" + (JournalEntry.MAX_HEADERS - 1) + "\"");
    assertThat(line).doesNotContain("\"h" + JournalEntry.MAX_HEADERS + "\"");
    assertThat(line).contains("\"" + "v".repeat(JournalEntry.MAX_VALUE_CHARS) + "\"");
    assertThat(line).doesNotContain("v".repeat(JournalEntry.MAX_VALUE_CHARS + 1));
    assertThat(line).contains("\"headersTruncated\":true");
  }
}
