package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad settings of the embedded data plane and of its entry point fail with a fix-it message. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmbeddedDataPlaneBuilderTest {
  private static final URI CONTROL_PLANE = URI.create("http://127.0.0.1:8080");
  private static final URI UPSTREAM = URI.create("http://127.0.0.1:8081");

  @Test
  void controlPlaneAndAnUpstreamAreRequired() {
    assertThatThrownBy(() -> EmbeddedDataPlane.builder().build())
        .isInstanceOf(TestkitException.class)
        .hasMessageContaining("withControlPlane: required")
        .hasMessageContaining("withUpstream: at least one upstream is required")
        .extracting(e -> ((TestkitException) e).code())
        .isEqualTo(TestkitException.Code.INVALID_CONFIGURATION);
  }

  @Test
  void upstreamNameMustBeADnsLabel() {
    assertThatThrownBy(
            () ->
                EmbeddedDataPlane.builder()
                    .withControlPlane(CONTROL_PLANE)
                    .withUpstream("Orders_1", UPSTREAM)
                    .build())
        .hasMessageContaining("withUpstream name: must be a DNS-1123 label")
        .hasMessageContaining(
            "got \"Orders_1\", e.g. \"orders\"; it is also the filter's node name");
  }

  @Test
  void duplicateUpstreamsBadUrisPortsAndTimeoutsAreNamed() {
    assertThatThrownBy(
            () ->
                EmbeddedDataPlane.builder()
                    .withControlPlane(URI.create("http://127.0.0.1:8080/api"))
                    .withUpstream("orders", UPSTREAM)
                    .withUpstream("orders", UPSTREAM)
                    .withUpstream("payments", URI.create("ftp://host"), 70000)
                    .withPollTimeout(Duration.ofMinutes(10))
                    .withReadyTimeout(Duration.ofSeconds(-1))
                    .build())
        .hasMessageContaining("upstream \"orders\" added twice")
        .hasMessageContaining(
            "withControlPlane: \"http://127.0.0.1:8080/api\" must be a plain http URI")
        .hasMessageContaining(
            "withUpstream(\"payments\"): \"ftp://host\" must be an http or https URI")
        .hasMessageContaining("listen port 70000 must be in 0..65535")
        .hasMessageContaining("withPollTimeout(10m)")
        .hasMessageContaining("withReadyTimeout(-1s)");
  }

  @Test
  void upstreamTrustMustBeAReadablePemBundle(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(
            () ->
                EmbeddedDataPlane.builder()
                    .withControlPlane(CONTROL_PLANE)
                    .withUpstream("orders", URI.create("https://127.0.0.1:8443"))
                    .withTrustedCa(missing)
                    .build())
        .hasMessageContaining("withTrustedCa(" + missing + "): cannot read it")
        .hasMessageContaining("pass a PEM CA bundle");
    Path notPem = Files.writeString(dir.resolve("key.txt"), "not a certificate");
    assertThatThrownBy(
            () ->
                EmbeddedDataPlane.builder()
                    .withControlPlane(CONTROL_PLANE)
                    .withUpstream("orders", UPSTREAM)
                    .withTrustedCa(notPem)
                    .build())
        .hasMessageContaining("withTrustedCa(" + notPem + "): ");
  }

  @Test
  void accessorsBeforeStartSaySo() {
    EmbeddedDataPlane proxy =
        EmbeddedDataPlane.builder()
            .withControlPlane(CONTROL_PLANE)
            .withUpstream("orders", UPSTREAM)
            .build();
    assertThatThrownBy(() -> proxy.proxyUri("orders"))
        .hasMessageContaining("not started: call start() first");
    assertThatThrownBy(() -> proxy.proxyUri("nope")).hasMessageContaining("known: [orders]");
  }
}
