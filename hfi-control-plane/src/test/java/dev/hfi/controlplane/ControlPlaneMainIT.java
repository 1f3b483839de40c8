package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hfi.client.ApplyResult;
import dev.hfi.client.HfiClient;
import dev.hfi.client.TestPolicies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The entry point as a real process: serves, logs JSON lines, and stops cleanly on SIGTERM. */
@Tag("slow")
@Timeout(120)
class ControlPlaneMainIT {
  @Test
  void servesLogsOneJsonLinePerRequestAndStopsOnSigterm() throws Exception {
    try (ControlPlaneProcess process = ControlPlaneProcess.start("--stale-after", "5s")) {
      try (HfiClient client = HfiClient.builder().withBaseUri(process.uri()).build()) {
        assertThat(client.apply(TestPolicies.abort("orders", 503)).outcome())
            .isEqualTo(ApplyResult.Outcome.CREATED);
        assertThat(client.isReady()).isTrue();
      }
      ProcessHandle handle = ProcessHandle.of(process.pid()).orElseThrow();
      assertThat(handle.destroy()).as("SIGTERM sent").isTrue();
      handle.onExit().get(30, TimeUnit.SECONDS);
      assertThat(handle.isAlive()).isFalse();

      Path log = Path.of("target", "control-plane-" + process.uri().getPort() + ".log");
      List<String> lines = Files.readAllLines(log);
      ObjectMapper json = new ObjectMapper();
      JsonNode post =
          lines.stream()
              .filter(l -> l.startsWith("{"))
              .map(l -> readTree(json, l))
              .filter(n -> "POST".equals(n.path("method").asText()))
              .reduce((a, b) -> b)
              .orElseThrow(() -> new AssertionError("no JSON request line in " + log));
      assertThat(post.path("path").asText()).isEqualTo("/v1/policies");
      assertThat(post.path("status").asInt()).isEqualTo(201);
      assertThat(post.path("policy").asText()).isEqualTo("orders");
      assertThat(post.path("client").asText()).isEqualTo("127.0.0.1");
      assertThat(post.has("latencyMs")).isTrue();
      assertThat(lines).anyMatch(l -> l.contains("\"message\":\"stopping\""));
    }
  }

  private static JsonNode readTree(ObjectMapper json, String line) {
    try {
      return json.readTree(line);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
