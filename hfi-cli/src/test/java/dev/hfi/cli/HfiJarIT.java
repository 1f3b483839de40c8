package dev.hfi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.hfi.client.HfiClient;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.MemoryPolicyStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shaded {@code target/hfi.jar} through the launcher script, as a user runs it: a separate JVM
 * with nothing but the jar (failsafe runs after {@code package}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HfiJarIT {
  private static final Path SCRIPT = Path.of("src/main/sh/hfi");

  private record Run(int exitCode, String out, String err) {}

  private static Run hfi(String stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(SCRIPT.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("HFI_CONTROL_PLANE");
    pb.environment().remove("HFI_JAR");
    Path out = Files.createTempFile("hfi-out", ".txt");
    Path err = Files.createTempFile("hfi-err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("hfi finished").isTrue();
    Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  @Test
  void versionFromTheJar() throws Exception {
    Run r = hfi("", "--version");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("hfi 0.1.0");
  }

  @Test
  void appliesAndListsAgainstARealServer() throws Exception {
    try (MemoryPolicyStore store = new MemoryPolicyStore();
        ControlPlaneServer server =
            ControlPlaneServer.builder().withPort(0).withStore(store).build().start()) {
      String addr = server.uri().toString();
      Run applied =
          hfi(
              TestPolicies.abortYaml("jarred", "/j", 503),
              "policy",
              "apply",
              "-f",
              "-",
              "--control-plane-addr",
              addr);
      assertThat(applied.exitCode()).as(applied.toString()).isZero();
      assertThat(applied.out()).isEqualTo("faultinjectionpolicy.hfi.dev \"jarred\" created\n");
      assertThat(applied.err()).isEmpty();
      Run listed = hfi("", "policy", "get", "--control-plane-addr", addr);
      assertThat(listed.out()).startsWith("NAME ").contains("jarred");
    }
  }

  @Test
  void unreachableServerIsOneLineAndExitCode1() throws Exception {
    Run r = hfi("", "nodes", "--control-plane-addr", "http://127.0.0.1:1");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("error: cannot reach the control plane at http://127.0.0.1:1/");
  }

  @Test
  void controlPlaneLogsThroughLogbackToStderrAndStopsOnSigterm() throws Exception {
    Path err = Files.createTempFile("hfi-err", ".txt");
    Process p =
        new ProcessBuilder(SCRIPT.toString(), "control-plane", "--port", "0")
            .redirectError(err.toFile())
            .start();
    try (var out = p.inputReader(StandardCharsets.UTF_8)) {
      assertThat(out.readLine()).startsWith("control plane listening on http://127.0.0.1:");
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(err))
          .contains("INFO  ControlPlaneServer: control plane listening on")
          .doesNotContain("SLF4J");
    } finally {
      p.destroyForcibly();
      Files.delete(err);
    }
  }

  @Test
  void logFormatJsonWritesOneObjectPerLineWithEveryRequest() throws Exception {
    Process p =
        new ProcessBuilder(
                SCRIPT.toString(), "control-plane", "--port", "0", "--log-format", "json")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (var out = p.inputReader(StandardCharsets.UTF_8)) {
      List<String> lines = new java.util.ArrayList<>();
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("control plane listening on")) {
        lines.add(line);
      }
      assertThat(line).as("listening line after %s", lines).isNotNull();
      URI uri = URI.create(line.split(" ")[4]);
      try (HfiClient client = HfiClient.builder().withBaseUri(uri).build()) {
        client.apply(TestPolicies.abort("orders", 503));
      }
      p.toHandle().destroy(); // SIGTERM; Process.destroy() would close the pipe before it is read
      out.lines().forEach(lines::add);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      ObjectMapper json = new ObjectMapper();
      List<JsonNode> objects = new java.util.ArrayList<>();
      for (String l : lines) {
        if (l.startsWith("{")) {
          objects.add(json.readTree(l));
        }
      }
      assertThat(objects)
          .anySatisfy(
              n -> {
                assertThat(n.path("method").asText()).isEqualTo("POST");
                assertThat(n.path("path").asText()).isEqualTo("/v1/policies");
                assertThat(n.path("status").asInt()).isEqualTo(201);
                assertThat(n.path("policy").asText()).isEqualTo("orders");
                assertThat(n.path("client").asText()).isEqualTo("127.0.0.1");
                assertThat(n.has("latencyMs")).isTrue();
              })
          .anySatisfy(n -> assertThat(n.path("level").asText()).isEqualTo("INFO"));
      assertThat(lines)
          .as("every line is JSON or one of the command's own lines")
          .allMatch(l -> l.startsWith("{") || l.startsWith("control plane "));
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void upFromTheJarRunsTheFilterAndInjects() throws Exception {
    HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    upstream.start();
    Path err = Files.createTempFile("hfi-err", ".txt");
    Process p =
        new ProcessBuilder(
                SCRIPT.toString(),
                "up",
                "--port",
                "0",
                "--listen",
                "0",
                "--upstream",
                "http://127.0.0.1:" + upstream.getAddress().getPort())
            .redirectError(err.toFile())
            .start();
    try (var out = p.inputReader(StandardCharsets.UTF_8)) {
      String cp = out.readLine().replaceAll("^control plane listening on (\\S+) .*", "$1");
      String proxy = out.readLine().replaceAll("^proxy listening on (\\S+) .*", "$1");
      assertThat(out.readLine())
          .isEqualTo("for the other hfi commands: export HFI_CONTROL_PLANE=" + cp);
      assertThat(out.readLine()).isEqualTo("ready; Ctrl-C to stop");
      Run applied =
          hfi(
              Files.readString(Path.of("../examples/policies/orders-abort.yaml")),
              "policy",
              "apply",
              "-f",
              "-",
              "--wait",
              "--control-plane-addr",
              cp);
      assertThat(applied.exitCode()).as(applied.toString()).isZero();
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(proxy + "/api/orders")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.headers().firstValue("x-hfi-fault")).hasValue("orders-abort");
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
      upstream.stop(0);
      Files.delete(err);
    }
  }
}
