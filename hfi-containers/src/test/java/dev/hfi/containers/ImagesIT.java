package dev.hfi.containers;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import dev.hfi.testcontainers.HfiImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Each of HFI's images started as a user would start it: it becomes healthy (its own HEALTHCHECK),
 * does its job, runs as a non-root user, carries its OCI labels, and stops cleanly on SIGTERM
 * (exits by itself within the grace period instead of being killed).
 */
@Timeout(300)
class ImagesIT {
  private static final HfiImages IMAGES = HfiImages.fromEnvironment();
  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final Path FILTER_WASM =
      Path.of("../hfi-wasm-filter/target/classes/dev/hfi/filter/hfi-filter.wasm");

  private static Network network;
  private static GenericContainer<?> controlPlane;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startControlPlane() {
    DockerRequirement.requireImages(
        IMAGES.controlPlane(), IMAGES.proxy(), IMAGES.envoy(), IMAGES.filter(), IMAGES.etcd());
    network = Network.newNetwork();
    controlPlane =
        new GenericContainer<>(IMAGES.controlPlane())
            .withNetwork(network)
            .withNetworkAliases("control-plane")
            .withExposedPorts(8080)
            .waitingFor(Wait.forHealthcheck().withStartupTimeout(STARTUP));
    controlPlane.start();
  }

  @AfterAll
  static void stop() {
    if (controlPlane != null) {
      controlPlane.stop();
    }
    if (network != null) {
      network.close();
    }
  }

  @Test
  void controlPlaneServesTheApiAndStopsOnSigterm() throws Exception {
    HttpResponse<String> ready = get(url(controlPlane, 8080, "/readyz"));
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"status\":\"ready\"");
    assertNonRootWithLabels(controlPlane, "hfi-control-plane");
  }

  @Test
  void controlPlaneTakesItsOptionsFromTheEnvironment() throws Exception {
    try (GenericContainer<?> etcd =
            new GenericContainer<>(IMAGES.etcd())
                .withNetwork(network)
                .withNetworkAliases("etcd-env")
                .withCommand(
                    "/usr/local/bin/etcd",
                    "--data-dir=/tmp/etcd",
                    "--listen-client-urls=http://0.0.0.0:2379",
                    "--advertise-client-urls=http://etcd-env:2379")
                .waitingFor(Wait.forLogMessage(".*ready to serve client requests.*", 1));
        GenericContainer<?> onEtcd =
            new GenericContainer<>(IMAGES.controlPlane())
                .withNetwork(network)
                .withEnv(
                    Map.of(
                        "HFI_STORE", "etcd",
                        "HFI_ETCD_ENDPOINTS", "http://etcd-env:2379",
                        "HFI_PORT", "9090"))
                .withExposedPorts(9090)
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(STARTUP))) {
      etcd.start();
      onEtcd.start();
      assertThat(onEtcd.getLogs()).contains("store: etcd");
      assertThat(get(url(onEtcd, 9090, "/readyz")).statusCode()).isEqualTo(200);
      assertStopsOnSigterm(onEtcd, "control plane stopped");
    }
  }

  @Test
  void proxyFrontsItsUpstreamAndFollowsTheControlPlane() throws Exception {
    try (GenericContainer<?> proxy =
        new GenericContainer<>(IMAGES.proxy())
            .withNetwork(network)
            .withCommand(
                "--upstream", "http://control-plane:8080",
                "--node", "images-it-proxy",
                "--control-plane", "http://control-plane:8080")
            .withExposedPorts(18000)
            .waitingFor(Wait.forHealthcheck().withStartupTimeout(STARTUP))) {
      proxy.start();
      // The proxy's upstream is the control plane itself: any HTTP service will do.
      HttpResponse<String> through = get(url(proxy, 18000, "/healthz"));
      assertThat(through.statusCode()).isEqualTo(200);
      assertThat(get(url(controlPlane, 8080, "/v1/nodes")).body()).contains("images-it-proxy");
      assertNonRootWithLabels(proxy, "hfi-proxy");
      assertStopsOnSigterm(proxy, "");
    }
  }

  @Test
  void envoyGeneratesItsBootstrapFromUpstreamsAndServes() throws Exception {
    try (GenericContainer<?> envoy =
        new GenericContainer<>(IMAGES.envoy())
            .withNetwork(network)
            .withEnv("HFI_CONTROL_PLANE", "http://control-plane:8080")
            .withCommand(
                "--upstream",
                "images-it-envoy=http://control-plane:8080",
                "--",
                "--concurrency",
                "1")
            .withExposedPorts(10000)
            .waitingFor(Wait.forHealthcheck().withStartupTimeout(STARTUP))) {
      envoy.start();
      HttpResponse<String> through = get(url(envoy, 10000, "/healthz"));
      assertThat(through.statusCode()).isEqualTo(200);
      assertThat(through.headers().firstValue("server")).isPresent();
      assertThat(get(url(controlPlane, 8080, "/v1/nodes")).body()).contains("images-it-envoy");
      assertThat(envoy.getLogs()).contains("filter instance", "of node images-it-envoy configured");
      assertThat(inspect(envoy).getConfig().getUser()).isEqualTo("101:101");
      assertThat(labels(IMAGES.envoy()))
          .containsEntry("org.opencontainers.image.title", "hfi-envoy");
      assertStopsOnSigterm(envoy, "");
    }
  }

  @Test
  void envoyImageRunsEnvoyAsTheOfficialImageDoesWhenGivenEnvoyArguments() {
    try (GenericContainer<?> version =
        new GenericContainer<>(IMAGES.envoy())
            .withCommand("--version")
            .withStartupCheckStrategy(
                new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(30)))) {
      version.start();
      assertThat(version.getLogs()).contains("envoy", "/1.40.0/");
    }
  }

  /**
   * Istio's WasmPlugin accepts a Docker-format image of exactly one layer holding plugin.wasm; the
   * same image, run as an initContainer, copies the filter into a shared volume.
   */
  @Test
  void filterImageIsOneLayerWithPluginWasmAndCopiesItIntoAVolume() throws Exception {
    InspectImageResponse image =
        docker().inspectImageCmd(IMAGES.filter().asCanonicalNameString()).exec();
    assertThat(image.getRootFS().getLayers()).hasSize(1);
    byte[] expected = Files.readAllBytes(FILTER_WASM);
    assertThat(pluginWasmOfTheOnlyLayer(IMAGES.filter())).isEqualTo(expected);

    String volume = "hfi-images-it-filters-" + System.nanoTime();
    docker().createVolumeCmd().withName(volume).exec();
    try (GenericContainer<?> init =
        new GenericContainer<>(IMAGES.filter())
            .withCreateContainerCmdModifier(
                cmd ->
                    cmd.getHostConfig()
                        .withBinds(
                            com.github.dockerjava.api.model.Bind.parse(volume + ":/filters")))
            .withStartupCheckStrategy(
                new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(30)))) {
      init.start();
      byte[] copied =
          init.copyFileFromContainer("/filters/hfi-filter.wasm", InputStream::readAllBytes);
      assertThat(copied).isEqualTo(expected);
    } finally {
      docker().removeVolumeCmd(volume).exec();
    }
  }

  private static byte[] pluginWasmOfTheOnlyLayer(DockerImageName name) throws IOException {
    // What Istio's fetcher does with a pulled compat image: open the layer, find plugin.wasm.
    try (InputStream saved = docker().saveImageCmd(name.asCanonicalNameString()).exec();
        TarArchiveInputStream image = new TarArchiveInputStream(saved)) {
      List<String> names = new ArrayList<>();
      for (TarArchiveEntry e = image.getNextEntry(); e != null; e = image.getNextEntry()) {
        names.add(e.getName());
        if (!e.getName().endsWith("layer.tar")) {
          continue;
        }
        TarArchiveInputStream layer = new TarArchiveInputStream(image);
        for (TarArchiveEntry f = layer.getNextEntry(); f != null; f = layer.getNextEntry()) {
          if (f.getName().equals("plugin.wasm") || f.getName().endsWith("/plugin.wasm")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            layer.transferTo(out);
            return out.toByteArray();
          }
        }
      }
      throw new AssertionError("no layer holds plugin.wasm; entries: " + names);
    }
  }

  private static void assertNonRootWithLabels(GenericContainer<?> container, String title) {
    String user = inspect(container).getConfig().getUser();
    assertThat(user).isEqualTo("10001:10001");
    Map<String, String> labels = labels(DockerImageName.parse(container.getDockerImageName()));
    assertThat(labels)
        .containsEntry("org.opencontainers.image.title", title)
        .containsKey("org.opencontainers.image.version")
        .containsKey("org.opencontainers.image.revision");
  }

  /**
   * SIGTERM, then up to 10 s before Docker would SIGKILL: the process must exit by itself, with
   * SIGTERM's status (143) or 0, never 137 (killed).
   */
  private static void assertStopsOnSigterm(GenericContainer<?> container, String lastWords) {
    long start = System.nanoTime();
    docker().stopContainerCmd(container.getContainerId()).withTimeout(10).exec();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    InspectContainerResponse.ContainerState state = inspect(container).getState();
    assertThat(state.getRunning()).isFalse();
    assertThat(state.getExitCodeLong()).isIn(0L, 143L);
    assertThat(took).isLessThan(Duration.ofSeconds(9));
    assertThat(container.getLogs()).contains(lastWords);
  }

  private static InspectContainerResponse inspect(GenericContainer<?> container) {
    return docker().inspectContainerCmd(container.getContainerId()).exec();
  }

  private static Map<String, String> labels(DockerImageName image) {
    return docker().inspectImageCmd(image.asCanonicalNameString()).exec().getConfig().getLabels();
  }

  private static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  private static URI url(GenericContainer<?> container, int port, String path) {
    return URI.create("http://" + container.getHost() + ":" + container.getMappedPort(port) + path);
  }

  private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
