package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.filter.internal.core.JournalEntry;
import dev.hfi.testkit.internal.JournalLines;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RequestJournalTest {
  private static String line(String node, String path) {
    // As Envoy prints a wasm log line: its own prefix, then the filter's message.
    return "[2026-12-03 16:00:00.000][12][info][wasm] [source/extensions/common/wasm/context.cc:1195]"
        + " wasm log hfi: hfi-journal {\"node\":\""
        + node
        + "\",\"at\":1000,\"method\":\"GET\",\"path\":\""
        + path
        + "\",\"headers\":[[\"x-a\",\"1\"]],\"policy\":\"p\",\"delayMs\":20,\"status\":200,"
        + "\"durationMs\":25}";
  }

  @Test
  void theReaderSpeaksTheFiltersLineFormat() {
    assertThat(JournalLines.PREFIX).isEqualTo(JournalEntry.PREFIX);
    assertThat(JournalLines.BARRIER_PREFIX).isEqualTo(JournalEntry.BARRIER_PREFIX);
    assertThat(JournalLines.BARRIER_HEADER).isEqualTo(JournalEntry.BARRIER_HEADER);
  }

  @Test
  void entriesAreReadOutOfLogLinesAndOtherLinesIgnored() {
    RequestJournal journal =
        new RequestJournal(() -> {}, n -> n.equals("orders-node") ? "orders" : null);
    assertThat(journal.accept("[info][wasm] wasm log hfi: hfi: applied rule set 3")).isFalse();
    assertThat(journal.accept("hfi-journal {not json")).isFalse();
    assertThat(journal.accept(line("orders-node", "/a?b=1"))).isTrue();

    JournaledRequest r = journal.all().get(0);
    assertThat(r.upstream()).isEqualTo("orders");
    assertThat(r.at()).isEqualTo(Instant.ofEpochMilli(1000));
    assertThat(r.pathWithoutQuery()).isEqualTo("/a");
    assertThat(r.header("X-A")).hasValue("1");
    assertThat(r.policy()).isEqualTo("p");
    assertThat(r.faulted()).isTrue();
    assertThat(r.aborted()).isFalse();
    assertThat(r.delay()).isEqualTo(Duration.ofMillis(20));
    assertThat(r.duration()).isEqualTo(Duration.ofMillis(25));
  }

  @Test
  void marksStayValidWhenOldEntriesAreDroppedAndEveryReadCatchesUpFirst() {
    AtomicInteger catchUps = new AtomicInteger();
    RequestJournal journal = new RequestJournal(catchUps::incrementAndGet, n -> n);
    for (int i = 0; i < RequestJournal.CAPACITY; i++) {
      journal.accept(line("n", "/old"));
    }
    long mark = journal.mark();
    journal.accept(line("n", "/new1"));
    journal.accept(line("n", "/new2"));
    assertThat(journal.since(mark))
        .extracting(JournaledRequest::path)
        .containsExactly("/new1", "/new2");
    assertThat(journal.all()).hasSize(RequestJournal.CAPACITY);
    assertThat(journal.since(0).get(0).path()).isEqualTo("/old");
    assertThat(catchUps.get()).isEqualTo(4);
  }
}
