package dev.hfi.testcontainers;

import dev.hfi.client.HfiClient;
import dev.hfi.testcontainers.internal.NetworkAlias;
import dev.hfi.testkit.TestkitException;
import dev.hfi.testkit.TestkitException.Code;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * HFI's control plane in a container (the {@code hfi-control-plane} image, {@code hfi
 * control-plane}), with the memory store or an etcd store. Ready when {@code GET /readyz} answers
 * 200 (the store is reachable). Options become the image's {@code HFI_*} variables.
 *
 * <p>Data planes on the same Docker network reach it at {@link #networkUri()} (its first network
 * alias, default {@value #DEFAULT_ALIAS}); this machine reaches it at {@link #uri()}, its mapped
 * port. Settings are checked by {@link #start()} before Docker is asked for anything: every bad one
 * is named in one {@link TestkitException} with code {@code INVALID_CONFIGURATION}. Not thread-safe
 * while being configured; the accessors may be called from any thread once started.
 *
 * <pre>{@code
 * try (HfiControlPlaneContainer cp = new HfiControlPlaneContainer(images.controlPlane())
 *         .withNetwork(network)
 *         .withEtcd(etcd)) {
 *   cp.start();
 *   HfiClient client = cp.client();            // through the mapped port
 *   URI forEnvoy = cp.networkUri();            // http://hfi-control-plane:8080
 * }
 * }</pre>
 */
public class HfiControlPlaneContainer extends GenericContainer<HfiControlPlaneContainer> {

  /** The control plane's port inside the container. */
  public static final int PORT = 8080;

  /** The network alias used when none is given. */
  public static final String DEFAULT_ALIAS = "hfi-control-plane";

  private final List<String> problems = new ArrayList<>();

  /** {@link HfiImages#controlPlane()} of {@link HfiImages#fromEnvironment()}. */
  public HfiControlPlaneContainer() {
    this(HfiImages.fromEnvironment().controlPlane());
  }

  /** A {@code hfi-control-plane} image. */
  public HfiControlPlaneContainer(DockerImageName image) {
    super(image);
    withExposedPorts(PORT);
    withEnv("HFI_PORT", String.valueOf(PORT));
    waitingFor(
        Wait.forHttp("/readyz")
            .forPort(PORT)
            .forStatusCode(200)
            .withStartupTimeout(Duration.ofSeconds(90)));
  }

  /** Keeps policies in this etcd (on the same network): {@code HFI_STORE=etcd}. */
  public HfiControlPlaneContainer withEtcd(EtcdContainer etcd) {
    dependsOn(etcd);
    return withEtcdEndpoints(etcd.networkEndpoint());
  }

  /** Keeps policies in the etcd cluster at these endpoints, as the container reaches them. */
  public HfiControlPlaneContainer withEtcdEndpoints(URI... endpoints) {
    if (endpoints.length == 0) {
      problems.add("withEtcdEndpoints: give at least one endpoint, e.g. http://etcd:2379");
      return this;
    }
    StringBuilder joined = new StringBuilder();
    for (URI e : endpoints) {
      joined.append(joined.length() == 0 ? "" : ",").append(e);
    }
    withEnv("HFI_STORE", "etcd");
    return withEnv("HFI_ETCD_ENDPOINTS", joined.toString());
  }

  /** Key prefix of this control plane's policies in etcd ({@code HFI_ETCD_PREFIX}). */
  public HfiControlPlaneContainer withEtcdPrefix(String prefix) {
    return withEnv("HFI_ETCD_PREFIX", prefix);
  }

  /** API token every client (and data plane) must send ({@code HFI_TOKEN}). */
  public HfiControlPlaneContainer withToken(String token) {
    if (token == null || token.isBlank()) {
      problems.add(
          "withToken: must not be blank (a blank HFI_TOKEN turns authentication off); leave"
              + " withToken out for a control plane without a token");
      return this;
    }
    return withEnv("HFI_TOKEN", token);
  }

  /**
   * Checks every setting, then starts the container as {@link GenericContainer#start()} does.
   *
   * @throws TestkitException {@code INVALID_CONFIGURATION} naming every bad setting
   */
  @Override
  public void start() {
    if (!problems.isEmpty()) {
      throw new TestkitException(Code.INVALID_CONFIGURATION, String.join("; ", problems));
    }
    super.start();
  }

  @Override
  protected void configure() {
    if (NetworkAlias.given(this) == null) {
      withNetworkAliases(DEFAULT_ALIAS);
    }
  }

  /** Where containers on the same network reach it, e.g. {@code http://hfi-control-plane:8080}. */
  public URI networkUri() {
    return URI.create("http://" + NetworkAlias.orElse(this, DEFAULT_ALIAS) + ":" + PORT);
  }

  /** Where this machine reaches it (the mapped port); only once started. */
  public URI uri() {
    return URI.create("http://" + getHost() + ":" + getMappedPort(PORT));
  }

  /** A new client of {@link #uri()} with the token given, if any; the caller closes it. */
  public HfiClient client() {
    return HfiClient.builder()
        .withBaseUri(uri())
        .withToken(getEnvMap().get("HFI_TOKEN"))
        .withTimeout(Duration.ofSeconds(30))
        .build();
  }
}
