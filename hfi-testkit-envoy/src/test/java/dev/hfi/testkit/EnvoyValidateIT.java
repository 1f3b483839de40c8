package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.filter.HfiFilterWasm;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every shape of bootstrap {@link EnvoyConfig} generates passes {@code envoy --mode validate}: the
 * real Envoy parses it, resolves every typed config and loads the real filter, without serving.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EnvoyValidateIT {

  static java.util.stream.Stream<Arguments> configurations() {
    return java.util.stream.Stream.of(
        Arguments.of("defaults", (UnaryOperator<EnvoyConfig.Builder>) b -> b),
        Arguments.of(
            "two upstreams, one by DNS name, token, short polls",
            (UnaryOperator<EnvoyConfig.Builder>)
                b ->
                    b.withUpstream("payments", "payments-proxy", 10001, "localhost", 9000)
                        .withControlPlaneToken("s3cret")
                        .withPollTimeout(Duration.ofMillis(500))),
        Arguments.of(
            "https upstream with the system CA bundle, admin on all addresses, port 0",
            (UnaryOperator<EnvoyConfig.Builder>)
                b ->
                    b.withUpstream(
                            "staging", "staging", 0, URI.create("https://staging.example.com"))
                        .withAdminAddress("0.0.0.0")
                        .withAdminPort(0)),
        Arguments.of(
            "IPv6 control plane and https upstream by IP",
            (UnaryOperator<EnvoyConfig.Builder>)
                b ->
                    b.withControlPlane("::1", 8080)
                        .withUpstream("ip", "ip", 10002, URI.create("https://127.0.0.1:8443"))),
        Arguments.of(
            "Istio's cluster name for the control plane's Service, reached by DNS name",
            (UnaryOperator<EnvoyConfig.Builder>)
                b ->
                    b.withControlPlane("hfi-control-plane.hfi-system.svc.cluster.local", 8080)
                        .withControlPlaneCluster(EnvoyConfig.ISTIO_CONTROL_PLANE_CLUSTER)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void generatedBootstrapPassesEnvoysOwnValidation(
      String name, UnaryOperator<EnvoyConfig.Builder> shape, @TempDir Path dir) throws Exception {
    Path wasm = dir.resolve("hfi-filter.wasm");
    Files.write(wasm, HfiFilterWasm.bytes());
    EnvoyConfig.Builder builder =
        EnvoyConfig.builder()
            .withListenAddress("127.0.0.1")
            .withControlPlane("127.0.0.1", 8080)
            .withUpstream("orders", 10000, "127.0.0.1", 8081)
            .withFilterPath(wasm.toString());
    Path yaml = dir.resolve("envoy.yaml");
    Files.writeString(yaml, shape.apply(builder).build().toYaml());

    Process envoy =
        new ProcessBuilder(
                EnvoyBinary.require().toString(),
                "--mode",
                "validate",
                "-c",
                yaml.toString(),
                "--disable-hot-restart")
            .redirectErrorStream(true)
            .start();
    String output = new String(envoy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(envoy.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(envoy.exitValue()).as(output).isZero();
    assertThat(output).contains("configuration '" + yaml + "' OK");
  }
}
