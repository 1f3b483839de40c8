package dev.hfi.containers;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.exception.NotFoundException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;

/**
 * Container tests need a Docker daemon and HFI's images. Without them a developer's run skips those
 * tests with the reason; CI ({@code -Dhfi.requireDocker=true}, set by ci/test.sh) fails them
 * instead, so a missing daemon or image can never pass for green.
 */
final class DockerRequirement {
  private DockerRequirement() {}

  /** Skips (or, in CI, fails) unless Docker answers and every image is present locally. */
  static void requireImages(DockerImageName... images) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      unmet(
          "no Docker daemon answers (DOCKER_HOST="
              + System.getenv("DOCKER_HOST")
              + "); ci/test.sh starts one: source ci/docker.sh && hfi_docker_up");
    }
    for (DockerImageName image : images) {
      try {
        DockerClientFactory.instance()
            .client()
            .inspectImageCmd(image.asCanonicalNameString())
            .exec();
      } catch (NotFoundException e) {
        unmet(
            "image " + image.asCanonicalNameString() + " is missing; build it: ci/build-images.sh");
      }
    }
  }

  private static void unmet(String reason) {
    if (Boolean.getBoolean("hfi.requireDocker")) {
      fail(reason + " (hfi.requireDocker=true)");
    }
    assumeTrue(false, reason);
  }
}
