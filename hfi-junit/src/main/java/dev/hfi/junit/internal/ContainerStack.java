package dev.hfi.junit.internal;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.hfi.client.HfiClient;
import dev.hfi.testcontainers.EnvoyContainer;
import dev.hfi.testcontainers.EtcdContainer;
import dev.hfi.testcontainers.HfiControlPlaneContainer;
import dev.hfi.testcontainers.HfiImages;
import dev.hfi.testkit.DataPlane;
import dev.hfi.testkit.EnvoyBinary;
import dev.hfi.testkit.TestkitException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;
import org.testcontainers.utility.DockerImageName;

/**
 * The container stack ({@code hfi.stack=containers}): etcd, the control plane on it and, per
 * upstream, an Envoy with the filter, all on one Docker network of their own. Started once per run
 * by {@link SharedStack}; {@link #close()} removes every container and the network. Thread-safe
 * through {@link SharedStack}'s lock.
 *
 * <p>The only class of hfi-junit that touches {@code hfi-testcontainers} (an optional dependency):
 * {@link SharedStack} asks {@link #moduleAvailable()} before anything else here is used, so that
 * the in-process stack runs without Testcontainers on the classpath.
 */
final class ContainerStack implements AutoCloseable {
  /** The artifact that brings the container stack and Testcontainers. */
  static final String MODULE = "dev.hfi:hfi-testcontainers";

  private static final String WHERE = "stack = CONTAINERS (-D" + SharedStack.STACK_PROPERTY + ")";

  private final HfiImages images;
  private final Network network;
  private final EtcdContainer etcd;
  private final HfiControlPlaneContainer controlPlane;
  private final HfiClient client;

  private ContainerStack(HfiImages images) {
    this.images = images;
    String run = UUID.randomUUID().toString().substring(0, 8);
    this.network = Network.newNetwork();
    this.etcd =
        new EtcdContainer(images.etcd())
            .withNetwork(network)
            .withNetworkAliases("etcd")
            .withCreateContainerCmdModifier(c -> c.withName("hfi-junit-etcd-" + run));
    this.controlPlane =
        new HfiControlPlaneContainer(images.controlPlane())
            .withNetwork(network)
            .withNetworkAliases(HfiControlPlaneContainer.DEFAULT_ALIAS)
            .withEtcd(etcd)
            .withCreateContainerCmdModifier(c -> c.withName("hfi-junit-control-plane-" + run));
    try {
      etcd.start();
      controlPlane.start();
    } catch (RuntimeException e) {
      close(List.of(controlPlane, etcd, network));
      throw new ExtensionConfigurationException(
          WHERE
              + ": the stack did not start: "
              + messages(e)
              + "; images: etcd "
              + images.etcd()
              + " (hfi.image.etcd), control plane "
              + images.controlPlane()
              + " (hfi.image.controlPlane)",
          e);
    }
    this.client = controlPlane.client();
  }

  /**
   * Whether {@link #MODULE} and Testcontainers are on the classpath. Reads only names, so it runs
   * without them.
   */
  static boolean moduleAvailable() {
    ClassLoader loader = ContainerStack.class.getClassLoader();
    try {
      Class.forName("dev.hfi.testcontainers.EnvoyContainer", false, loader);
      Class.forName("org.testcontainers.DockerClientFactory", false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * The Envoy of {@code dataPlane = ENVOY} when no binary is found: a container on the host network
   * in front of {@code upstream}, its filter polling the in-process control plane.
   */
  static DataPlane envoyOnHostNetwork(String name, URI upstream, HfiClient client) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new ExtensionConfigurationException(
          "dataPlane = ENVOY: no Envoy binary and no Docker. Either "
              + EnvoyBinary.howToGetEnvoy()
              + ", or make a Docker daemon available for EnvoyContainer");
    }
    EnvoyContainer envoy =
        new EnvoyContainer()
            .withHostNetwork()
            .withControlPlane(client)
            .withUpstream(name, upstream);
    envoy.start();
    return envoy;
  }

  /** Starts etcd and the control plane; fails clearly without Docker or an image. */
  static ContainerStack start() {
    HfiImages images;
    try {
      images = HfiImages.fromEnvironment();
    } catch (TestkitException e) {
      throw new ExtensionConfigurationException(WHERE + ": " + e.getMessage(), e);
    }
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new ExtensionConfigurationException(
          WHERE
              + ": no Docker daemon answers (DOCKER_HOST="
              + System.getenv("DOCKER_HOST")
              + "); start one, or run without -D"
              + SharedStack.STACK_PROPERTY
              + "=containers (the in-process stack needs no Docker)");
    }
    requireLocalOrPullable(images.etcd(), "hfi.image.etcd");
    requireLocalOrPullable(images.controlPlane(), "hfi.image.controlPlane");
    requireLocalOrPullable(images.envoy(), "hfi.image.envoy");
    return new ContainerStack(images);
  }

  /**
   * An image that is neither present nor pullable would fail deep inside Testcontainers after its
   * pull retries; this says which setting names it.
   */
  private static void requireLocalOrPullable(DockerImageName image, String property) {
    try {
      DockerClientFactory.instance().client().inspectImageCmd(image.asCanonicalNameString()).exec();
    } catch (NotFoundException e) {
      try {
        DockerClientFactory.instance()
            .client()
            .pullImageCmd(image.asCanonicalNameString())
            .start()
            .awaitCompletion();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new ExtensionConfigurationException(WHERE + ": interrupted pulling " + image);
      } catch (RuntimeException pull) {
        throw new ExtensionConfigurationException(
            WHERE
                + ": image "
                + image.asCanonicalNameString()
                + " is not on the Docker host and cannot be pulled ("
                + pull.getMessage()
                + "); build it (ci/build-images.sh) or name another with -D"
                + property
                + "=NAME:TAG",
            pull);
      }
    }
  }

  /** The control plane as this machine reaches it (mapped port). */
  HfiClient client() {
    return client;
  }

  /** An Envoy container in front of {@code upstream}, its filter reporting as node {@code name}. */
  DataPlane envoy(String name, URI upstream, Duration ready) {
    try {
      return EnvoyContainer.builder()
          .withImage(images.envoy())
          .withNetwork(network)
          .withControlPlane(controlPlane.networkUri())
          .withControlPlaneFromHost(controlPlane.uri())
          .withUpstream(name, upstream)
          // At least the ACK timeout, and room for the container's own start.
          .withReadyTimeout(ready.plus(Duration.ofSeconds(60)))
          .start();
    } catch (TestkitException e) {
      throw new ExtensionConfigurationException(
          WHERE
              + ": Envoy ("
              + images.envoy()
              + ", hfi.image.envoy) for upstream \""
              + name
              + "\" did not start: "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public void close() {
    client.close();
    close(List.of(controlPlane, etcd, network));
  }

  private static void close(List<AutoCloseable> all) {
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing the rest matters more.
      }
    }
  }

  private static String messages(Throwable e) {
    List<String> out = new ArrayList<>();
    for (Throwable t = e; t != null && out.size() < 4; t = t.getCause()) {
      out.add(String.valueOf(t.getMessage()));
    }
    return String.join(": ", out);
  }
}
