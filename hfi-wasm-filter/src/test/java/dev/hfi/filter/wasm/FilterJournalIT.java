package dev.hfi.filter.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.filter.internal.core.JournalEntry;
import dev.hfi.filter.wasm.FilterHost.Engine;
import dev.hfi.filter.wasm.FilterHost.PollCall;
import dev.hfi.filter.wasm.FilterHost.Result;
import dev.hfi.wasmhost.Decision;
import dev.hfi.wasmhost.Decision.Proceed;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The request journal as the built filter writes it (docs/FILTER.md, "Request journal"). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FilterJournalIT {
  private static final String JOURNAL_CONFIG =
      FilterAbortIT.CONFIG.substring(0, FilterAbortIT.CONFIG.length() - 1) + ",\"journal\":true}";

  private static void apply(FilterHost host, String... rules) throws InterruptedException {
    PollCall call = host.nextCall();
    call.ruleSet(1, "{\"version\":1,\"rules\":[" + String.join(",", rules) + "]}");
    host.awaitAck(1);
  }

  private static List<String> journal(FilterHost host) {
    synchronized (host.logs) {
      return host.logs.stream()
          .filter(l -> l.contains(JournalEntry.PREFIX))
          .map(l -> l.substring(l.indexOf(JournalEntry.PREFIX) + JournalEntry.PREFIX.length()))
          .toList();
    }
  }

  @Test
  void everyRequestGetsOneEntryWithItsFaultStatusAndTiming() throws Exception {
    try (FilterHost host = new FilterHost(JOURNAL_CONFIG, Engine.BUILD_TIME_COMPILED)) {
      apply(
          host,
          "{\"policy\":\"down\",\"path\":{\"prefix\":\"/down\"},\"abort\":{\"httpStatus\":503}}",
          "{\"policy\":\"slow\",\"path\":{\"prefix\":\"/slow\"},\"delayMs\":120}");

      host.request(":method", "POST", ":path", "/ok?q=1", ":authority", "orders", "x-user", "a\"b");
      assertThat(journal(host))
          .containsExactly(
              "{\"node\":\"orders-proxy\",\"at\":"
                  + at(journal(host).get(0))
                  + ",\"method\":\"POST\",\"path\":\"/ok?q=1\",\"headers\":[[\":authority\","
                  + "\"orders\"],[\":scheme\",\"http\"],[\"x-user\",\"a\\\"b\"]],\"status\":200,"
                  + "\"durationMs\":"
                  + duration(journal(host).get(0))
                  + "}");

      Result aborted = host.request(":method", "GET", ":path", "/down", ":authority", "orders");
      assertThat(aborted.response.status()).isEqualTo(503);
      assertThat(journal(host).get(1))
          .contains("\"path\":\"/down\"")
          .contains("\"policy\":\"down\",\"aborted\":true,\"status\":503");

      host.request(":method", "GET", ":path", "/slow", ":authority", "orders");
      String slow = journal(host).get(2);
      assertThat(slow).contains("\"policy\":\"slow\",\"delayMs\":120,\"status\":200");
      assertThat(duration(slow)).isGreaterThanOrEqualTo(120);

      // A request that never gets an answer is journaled when its stream ends, with status 0.
      Decision gone = host.send(":method", "GET", ":path", "/gone", ":authority", "orders");
      assertThat(journal(host)).hasSize(3);
      ((Proceed) gone).end();
      assertThat(journal(host)).hasSize(4);
      assertThat(journal(host).get(3)).contains("\"path\":\"/gone\"").contains("\"status\":0,");
    }
  }

  @Test
  void aBarrierRequestIsAnsweredByTheFilterAndOnlyLogsTheBarrier() throws Exception {
    try (FilterHost host = new FilterHost(JOURNAL_CONFIG, Engine.BUILD_TIME_COMPILED)) {
      apply(host, "{\"policy\":\"all\",\"abort\":{\"httpStatus\":500}}");
      Result barrier =
          host.request(":method", "GET", ":path", "/", JournalEntry.BARRIER_HEADER, "b-42");
      assertThat(barrier.response.status()).isEqualTo(204);
      assertThat(journal(host)).isEmpty();
      assertThat(host.logs).anyMatch(l -> l.endsWith(JournalEntry.BARRIER_PREFIX + "b-42"));
      assertThat(host.metric("hfi.faults.aborts_total")).isZero();
    }
  }

  @Test
  void withTheJournalOffNothingIsWrittenAndTheBarrierHeaderIsNothingSpecial() throws Exception {
    try (FilterHost host = new FilterHost(FilterAbortIT.CONFIG, Engine.BUILD_TIME_COMPILED)) {
      apply(
          host,
          "{\"policy\":\"down\",\"path\":{\"prefix\":\"/down\"},\"abort\":{\"httpStatus\":503}}");
      host.request(":method", "GET", ":path", "/ok", JournalEntry.BARRIER_HEADER, "x");
      Result aborted = host.request(":method", "GET", ":path", "/down");
      assertThat(aborted.response.status()).isEqualTo(503);
      assertThat(host.logs).noneMatch(l -> l.contains("hfi-journal"));
    }
  }

  private static String at(String entry) {
    return number(entry, "\"at\":");
  }

  private static long duration(String entry) {
    return Long.parseLong(number(entry, "\"durationMs\":"));
  }

  private static String number(String entry, String field) {
    int i = entry.indexOf(field) + field.length();
    int j = i;
    while (j < entry.length() && Character.isDigit(entry.charAt(j))) {
      j++;
    }
    return entry.substring(i, j);
  }
}
