package dev.hfi.testcontainers;

import dev.hfi.testcontainers.internal.NetworkAlias;
import java.net.URI;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-member etcd in a container, as the store of an {@link HfiControlPlaneContainer} on the
 * same Docker network. Runs {@code etcd} (at {@code /usr/local/bin/etcd}, as in the official {@code
 * gcr.io/etcd-development/etcd} images) with its data in the container, listening on {@value
 * #CLIENT_PORT} and advertising itself under its network alias; ready when etcd logs that it serves
 * client requests.
 *
 * <p>Not thread-safe while being configured; the accessors may be called from any thread once
 * started.
 *
 * <pre>{@code
 * try (Network network = Network.newNetwork();
 *     EtcdContainer etcd = new EtcdContainer(HfiImages.fromEnvironment().etcd())
 *         .withNetwork(network)
 *         .withNetworkAliases("etcd")) {
 *   etcd.start();
 *   URI forContainers = etcd.networkEndpoint();   // http://etcd:2379
 *   URI forThisMachine = etcd.endpoint();         // http://localhost:32771
 * }
 * }</pre>
 */
public class EtcdContainer extends GenericContainer<EtcdContainer> {

  /** etcd's client port inside the container. */
  public static final int CLIENT_PORT = 2379;

  private static final String DEFAULT_ALIAS = "etcd";

  /** An etcd image (3.4 or later) with {@code etcd} at {@code /usr/local/bin/etcd}. */
  public EtcdContainer(DockerImageName image) {
    super(image);
    withExposedPorts(CLIENT_PORT);
    waitingFor(
        Wait.forLogMessage(".*ready to serve client requests.*", 1)
            .withStartupTimeout(Duration.ofSeconds(60)));
  }

  @Override
  protected void configure() {
    if (NetworkAlias.given(this) == null) {
      withNetworkAliases(DEFAULT_ALIAS);
    }
    withCommand(
        "/usr/local/bin/etcd",
        "--name=hfi",
        "--data-dir=/tmp/etcd-data",
        "--listen-client-urls=http://0.0.0.0:" + CLIENT_PORT,
        "--advertise-client-urls=" + networkEndpoint());
  }

  /** Where containers on the same network reach etcd, e.g. {@code http://etcd:2379}. */
  public URI networkEndpoint() {
    return URI.create("http://" + NetworkAlias.orElse(this, DEFAULT_ALIAS) + ":" + CLIENT_PORT);
  }

  /** Where this machine reaches etcd (its mapped port); only once started. */
  public URI endpoint() {
    return URI.create("http://" + getHost() + ":" + getMappedPort(CLIENT_PORT));
  }
}
