package dev.hfi.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.testkit.TestkitException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.testcontainers.utility.DockerImageName;

/** Image names: the published defaults, their overrides, and the pins that must agree. */
class HfiImagesTest {

  @Test
  void defaultsAreThePublishedNamesTaggedWithTheProjectVersion() {
    HfiImages images = HfiImages.from(Map.of());
    assertThat(images.controlPlane().asCanonicalNameString())
        .matches("ghcr\\.io/hfi-dev/hfi-control-plane:0\\.\\d+\\.\\d+.*");
    assertThat(images.envoy().getRepository()).isEqualTo("hfi-dev/hfi-envoy");
    assertThat(images.envoy().getVersionPart()).isEqualTo(images.proxy().getVersionPart());
    assertThat(images.etcd().asCanonicalNameString())
        .isEqualTo("gcr.io/etcd-development/etcd:v3.5.21");
  }

  @Test
  void aSystemPropertyWinsOverTheEnvironmentWhichWinsOverTheDefault() {
    HfiImages images =
        HfiImages.from(
            Map.of(
                "hfi.image.etcd", "mirror.local/etcd:3.5",
                "HFI_IMAGE_ETCD", "other/etcd:1",
                "HFI_IMAGE_CONTROL_PLANE", "mirror.local/hfi-control-plane:test"));
    assertThat(images.etcd().asCanonicalNameString()).isEqualTo("mirror.local/etcd:3.5");
    assertThat(images.controlPlane().asCanonicalNameString())
        .isEqualTo("mirror.local/hfi-control-plane:test");
  }

  @Test
  void theEnvoyImageStandsInForEnvoyproxyEnvoy() {
    HfiImages images = HfiImages.from(Map.of("hfi.image.envoy", "mirror.local/my-envoy:1"));
    images
        .envoy()
        .assertCompatibleWith(
            DockerImageName.parse(EnvoyContainer.DEFAULT_IMAGE.getUnversionedPart()));
  }

  @Test
  void aMalformedNameNamesThePropertyAndTheVariable() {
    HfiImages images = HfiImages.from(Map.of("hfi.image.envoy", "UPPER CASE:!!"));
    assertThatThrownBy(images::envoy)
        .isInstanceOf(TestkitException.class)
        .hasMessageContaining("hfi.image.envoy")
        .hasMessageContaining("HFI_IMAGE_ENVOY");
  }

  @Test
  void buildScriptsAndDockerfilesAgreeWithTheNamesHere() throws Exception {
    String versions = Files.readString(Path.of("..", "ci", "versions.sh"));
    Matcher prefix =
        Pattern.compile("HFI_IMAGE_PREFIX=\\$\\{HFI_IMAGE_PREFIX:-(\\S+)}").matcher(versions);
    assertThat(prefix.find()).isTrue();
    assertThat(HfiImages.published("hfi-envoy").asCanonicalNameString())
        .startsWith(prefix.group(1) + "hfi-envoy:");
    String envoyDockerfile =
        Files.readString(Path.of("..", "deploy", "docker", "hfi-envoy", "Dockerfile"));
    assertThat(envoyDockerfile)
        .contains("ARG ENVOY_BASE=" + EnvoyContainer.DEFAULT_IMAGE.asCanonicalNameString());
  }
}
