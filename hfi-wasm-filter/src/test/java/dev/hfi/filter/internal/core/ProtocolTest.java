package dev.hfi.filter.internal.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.filter.FilterConfigException;
import dev.hfi.filter.PluginConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProtocolTest {
  @Test
  void pollPathReportsAckAndEncodesValues() {
    assertThat(PollProtocol.path("orders proxy", "ab12", 42, 0, "", 30000))
        .isEqualTo("/v1/config/stream?node=orders%20proxy&instance=ab12&version=42&wait=30000ms");
  }

  @Test
  void pollPathReportsNackWithReason() {
    assertThat(PollProtocol.path("n", "i", 41, 42, "rules[0]: bad & worse", 1000))
        .isEqualTo(
            "/v1/config/stream?node=n&instance=i&version=41&rejected=42"
                + "&error=rules%5b0%5d%3a%20bad%20%26%20worse&wait=1000ms");
  }

  @Test
  void goodbyePathNamesTheInstanceEncoded() {
    assertThat(PollProtocol.goodbyePath("orders proxy", "ab12"))
        .isEqualTo("/v1/nodes/orders%20proxy/instances/ab12");
  }

  @Test
  void parsesOneSseEvent() {
    PollProtocol.Event e =
        PollProtocol.parseEvent(": comment\r\nid: 42\r\nevent: ruleset\r\ndata: {\"a\":1}\r\n\r\n");
    assertThat(e.id).isEqualTo(42);
    assertThat(e.data).isEqualTo("{\"a\":1}");
    assertThat(PollProtocol.parseEvent("data: a\ndata: b\n\ndata: c\n\n").data).isEqualTo("a\nb");
    assertThat(PollProtocol.parseEvent("data:x\ndata\nid: 3").data).isEqualTo("x\n");
    assertThat(PollProtocol.parseEvent("data:x\ndata\nid: 3").id).isEqualTo(3);
  }

  @Test
  void eventIdIsReadFromTheCompleteLinesOfABodyPrefix() {
    assertThat(PollProtocol.eventId("id: 42\nevent: ruleset\ndata: {\"vers")).isEqualTo(42);
    assertThat(PollProtocol.eventId(": c\r\nid: 7\r\ndata")).isEqualTo(7);
    assertThat(PollProtocol.eventId("id: 4")).isZero();
    assertThat(PollProtocol.eventId("data: x\n\nid: 9\n")).isZero();
    assertThat(PollProtocol.eventId("<html>")).isZero();
  }

  @Test
  void sseBodyWithoutDataIsAnError() {
    assertThatThrownBy(() -> PollProtocol.parseEvent("id: 3\n\n"))
        .isInstanceOf(FilterConfigException.class)
        .hasMessageContaining("no SSE data line");
  }

  @Test
  void backoffDoublesWithJitterUpToItsCapAndResets() {
    Backoff backoff = new Backoff(new Sampler(3), Backoff.DEFAULT_MAX_MS);
    long base = 100;
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      long wait = backoff.nextDelayMs();
      waits.add(wait);
      assertThat(wait).isBetween(base / 2, base);
      base = Math.min(base * 2, Backoff.DEFAULT_MAX_MS);
    }
    // However long the outage, a data plane polls again within the cap once it ends.
    assertThat(waits.subList(6, 16)).allSatisfy(w -> assertThat(w).isBetween(2000L, 4000L));
    assertThat(waits.stream().distinct().count()).isGreaterThan(10);
    backoff.reset();
    assertThat(backoff.nextDelayMs()).isBetween(50L, 100L);
  }

  @Test
  void backoffCapComesFromThePluginConfigurationWithinLimits() {
    assertThat(PluginConfig.decode("").maxBackoffMs()).isEqualTo(4000);
    assertThat(PluginConfig.decode("{\"maxBackoffMs\":30000}").maxBackoffMs()).isEqualTo(30000);
    assertThatThrownBy(() -> PluginConfig.decode("{\"maxBackoffMs\":50}"))
        .isInstanceOf(FilterConfigException.class)
        .hasMessageContaining("maxBackoffMs");
    Backoff capped = new Backoff(new Sampler(5), 1000);
    for (int i = 0; i < 20; i++) {
      assertThat(capped.nextDelayMs()).isLessThanOrEqualTo(1000);
    }
  }

  @Test
  void injectionCountRestartsForANewGeneration() {
    byte[] v = InjectionCount.encode(3, 2);
    assertThat(InjectionCount.count(v, 3)).isEqualTo(2);
    assertThat(InjectionCount.count(v, 4)).isZero();
    assertThat(InjectionCount.count(null, 4)).isZero();
    assertThatThrownBy(() -> InjectionCount.count("garbage".getBytes(), 3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("corrupt");
  }

  @Test
  void pendingResumesDrainOnlyWhatIsDue() {
    PendingResumes p = new PendingResumes();
    assertThat(p.earliest()).isEqualTo(Long.MAX_VALUE);
    for (int i = 1; i <= 20; i++) {
      p.add(i, 100L * i, null);
    }
    assertThat(p.remove(20)).isTrue();
    assertThat(p.earliest()).isEqualTo(100);
    assertThat(p.earliestAfter(350)).isEqualTo(400);
    List<Integer> resumed = new ArrayList<>();
    p.drainDue(350, (id, rule) -> resumed.add(id));
    assertThat(resumed).containsExactlyInAnyOrder(1, 2, 3);
    assertThat(p.earliest()).isEqualTo(400);
    assertThat(p.remove(20)).isFalse();
  }

  @Test
  void jsonReaderHandlesEscapesNumbersAndNesting() {
    Object v =
        Json.parse(" {\"s\":\"a\\\"b\\u0041\\n\",\"n\":-12,\"d\":1.5,\"l\":[true,null,{}]} ");
    assertThat(v)
        .isEqualTo(
            Map.of(
                "s",
                "a\"bA\n",
                "n",
                -12L,
                "d",
                1.5,
                "l",
                java.util.Arrays.asList(true, null, Map.of())));
    assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}"))
        .hasMessageContaining("duplicate field \"a\"");
  }

  @Test
  void headerMapRoundTrips() {
    byte[] encoded = RequestHeaders.encode(":path", "/x", "x-é", "ü");
    RequestHeaders h = new RequestHeaders();
    System.arraycopy(encoded, 0, h.buffer(encoded.length), 0, encoded.length);
    h.reset(encoded.length);
    assertThat(h.size()).isEqualTo(2);
    assertThat(h.name(1)).isEqualTo("x-é");
    assertThat(h.value(1)).isEqualTo("ü");
    assertThat(h.indexOf(Bytes.utf8(":path"), 0)).isZero();
    assertThatThrownBy(() -> h.reset(7)).isInstanceOf(IllegalArgumentException.class);
  }
}
