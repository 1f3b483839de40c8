package dev.hfi.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.testkit.TestkitException;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.utility.DockerImageName;

/** Settings of the control-plane container, checked without Docker. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HfiControlPlaneContainerTest {
  private static final DockerImageName IMAGE =
      DockerImageName.parse("ghcr.io/hfi-dev/hfi-control-plane:test");

  @Test
  void everyBadSettingIsNamedInOneExceptionBeforeDockerIsAsked() {
    HfiControlPlaneContainer cp =
        new HfiControlPlaneContainer(IMAGE).withEtcdEndpoints().withToken(" ");

    assertThatThrownBy(cp::start)
        .isInstanceOf(TestkitException.class)
        .hasMessage(
            "withEtcdEndpoints: give at least one endpoint, e.g. http://etcd:2379; withToken: must"
                + " not be blank (a blank HFI_TOKEN turns authentication off); leave withToken out"
                + " for a control plane without a token")
        .extracting(e -> ((TestkitException) e).code())
        .isEqualTo(TestkitException.Code.INVALID_CONFIGURATION);
  }

  @Test
  void goodSettingsBecomeTheImagesVariables() {
    HfiControlPlaneContainer cp =
        new HfiControlPlaneContainer(IMAGE)
            .withEtcdEndpoints(URI.create("http://etcd-0:2379"), URI.create("http://etcd-1:2379"))
            .withToken("s3cret");

    assertThat(cp.getEnvMap())
        .containsEntry("HFI_STORE", "etcd")
        .containsEntry("HFI_ETCD_ENDPOINTS", "http://etcd-0:2379,http://etcd-1:2379")
        .containsEntry("HFI_TOKEN", "s3cret");
  }
}
