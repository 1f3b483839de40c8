package dev.hfi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.filter.HfiFilterWasm;
import dev.hfi.testkit.EnvoyBinary;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code hfi envoy-config} prints a bootstrap that the real Envoy accepts as it is. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EnvoyConfigCommandIT {

  @Test
  void printedBootstrapPassesEnvoysValidation(@TempDir Path dir) throws Exception {
    Path wasm = dir.resolve("hfi-filter.wasm");
    Files.write(wasm, HfiFilterWasm.bytes());
    Cli.Result r =
        Cli.against(URI.create("http://127.0.0.1:8080"))
            .run(
                "envoy-config",
                "--upstream",
                "orders=http://127.0.0.1:9000",
                "--upstream",
                "payments=https://payments.example.com",
                "--filter-path",
                wasm.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("name: orders").contains("port_value: 10001");
    Path yaml = dir.resolve("envoy.yaml");
    Files.writeString(yaml, r.out());

    Process envoy =
        new ProcessBuilder(
                EnvoyBinary.require().toString(), "--mode", "validate", "-c", yaml.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(envoy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(envoy.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(envoy.exitValue()).as(output).isZero();
  }

  @Test
  void badUpstreamIsInvalidInputNamingIt() {
    Cli.Result r =
        Cli.against(URI.create("http://127.0.0.1:8080"))
            .run("envoy-config", "--upstream", "Orders=http://127.0.0.1:9000");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("error: invalid Envoy configuration: upstream name: must be a DNS-1123 label");
    assertThat(r.err()).contains("got \"Orders\", e.g. \"orders\"");
    assertThat(r.out()).isEmpty();
  }
}
