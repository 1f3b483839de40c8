package dev.hfi.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hfi.testcontainers.internal.HostRoute;
import dev.hfi.testkit.EnvoyBinary;
import dev.hfi.testkit.EnvoyBootstrapParser;
import dev.hfi.testkit.EnvoyConfig;
import dev.hfi.testkit.FilterAckCheck;
import dev.hfi.testkit.TestkitException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.utility.DockerImageName;

/** Container settings, checked without Docker: {@code configure()} is what start() runs first. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EnvoyContainerTest {

  /** The smallest valid WebAssembly module: magic and version. */
  private static final byte[] EMPTY_MODULE = {0, 'a', 's', 'm', 1, 0, 0, 0};

  private static final FilterAckCheck ACKED = (nodes, timeout) -> true;

  @TempDir Path dir;
  private Path wasm;

  @BeforeEach
  void writeWasm() throws Exception {
    wasm = Files.write(dir.resolve("hfi-filter.wasm"), EMPTY_MODULE);
  }

  private EnvoyContainer bridge() {
    return configured(new RoutedEnvoyContainer(new FakeRoute("host.docker.internal", true)));
  }

  private EnvoyContainer configured(EnvoyContainer envoy) {
    return envoy
        .withControlPlane(URI.create("http://localhost:8080"), ACKED)
        .withUpstream("orders", URI.create("http://127.0.0.1:8081"))
        .withUpstream("payments", "payments-proxy", URI.create("http://payments:9000"))
        .withFilterWasm(wasm);
  }

  @Test
  void bridgeNetworkingExposesAdminAndOneListenerPerUpstream() {
    EnvoyContainer envoy = bridge();
    envoy.configure();

    assertThat(envoy.getExposedPorts()).containsExactly(9901, 10000, 10001);
    assertThat(envoy.getNetworkMode()).isNull();
    assertThat(envoy.getExtraHosts()).containsExactly("host.docker.internal:host-gateway");
  }

  @Test
  void commandLoadsTheGeneratedConfigWithLogLevelConcurrencyAndNoHotRestart() {
    EnvoyContainer envoy = bridge().withLogLevel("debug").withConcurrency(4);
    envoy.configure();

    assertThat(envoy.getCommandParts())
        .containsExactly(
            "-c",
            "/etc/envoy/envoy.yaml",
            "--log-level",
            "debug",
            "--concurrency",
            "4",
            "--disable-hot-restart");
  }

  @Test
  void copiesTheGeneratedConfigAndTheFilterIn() throws Exception {
    EnvoyContainer envoy = bridge();
    envoy.configure();

    assertThat(envoy.copiedFiles())
        .containsOnlyKeys("/etc/envoy/envoy.yaml", "/etc/envoy/hfi-filter.wasm");
    assertThat(envoy.copiedFiles().get("/etc/envoy/hfi-filter.wasm").getBytes())
        .isEqualTo(EMPTY_MODULE);
    String yaml =
        new String(
            envoy.copiedFiles().get("/etc/envoy/envoy.yaml").getBytes(), StandardCharsets.UTF_8);
    assertThat(yaml).isEqualTo(envoy.envoyConfig().toYaml());
    Bootstrap bootstrap = EnvoyBootstrapParser.parse(yaml);
    assertThat(bootstrap.getStaticResources().getListenersList())
        .extracting(l -> l.getAddress().getSocketAddress().getAddress())
        .containsOnly("0.0.0.0");
  }

  @Test
  void loopbackAddressesGoThroughTheHostRouteAndKeepTheirNameAsAuthority() throws Exception {
    EnvoyContainer envoy = bridge();
    envoy.configure();
    Bootstrap bootstrap = EnvoyBootstrapParser.parse(envoy.envoyConfig().toYaml());

    assertThat(endpoint(bootstrap, "hfi_control_plane").getAddress())
        .isEqualTo("host.docker.internal");
    assertThat(endpoint(bootstrap, "hfi_control_plane").getPortValue())
        .isEqualTo(FakeRoute.FORWARDED + 8080);
    assertThat(endpoint(bootstrap, "orders").getAddress()).isEqualTo("host.docker.internal");
    assertThat(endpoint(bootstrap, "orders").getPortValue()).isEqualTo(FakeRoute.FORWARDED + 8081);
    assertThat(endpoint(bootstrap, "payments").getAddress()).isEqualTo("payments");
    assertThat(endpoint(bootstrap, "payments").getPortValue()).isEqualTo(9000);
    assertThat(envoy.envoyConfig().pluginConfiguration(envoy.envoyConfig().upstreams().get(1)))
        .contains("\"node\":\"payments-proxy\"")
        // The control plane sees the name it was given, as if the filter ran on this machine.
        .contains("\"authority\":\"localhost:8080\"");
  }

  @Test
  void onALocalGatewayTheGatewayAddressIsUsedWithoutHostGateway() throws Exception {
    EnvoyContainer envoy = configured(new RoutedEnvoyContainer(new FakeRoute("172.20.0.1", false)));
    envoy.configure();
    Bootstrap bootstrap = EnvoyBootstrapParser.parse(envoy.envoyConfig().toYaml());

    assertThat(envoy.getExtraHosts()).isEmpty();
    assertThat(endpoint(bootstrap, "hfi_control_plane").getAddress()).isEqualTo("172.20.0.1");
    assertThat(endpoint(bootstrap, "orders").getAddress()).isEqualTo("172.20.0.1");
  }

  @Test
  void anHttpsUpstreamOnLoopbackKeepsItsNameForTheCertificateCheck() throws Exception {
    EnvoyContainer envoy =
        configured(new RoutedEnvoyContainer(new FakeRoute("172.20.0.1", false)))
            .withUpstream("secure", URI.create("https://localhost:8443"));
    envoy.configure();
    String yaml = envoy.envoyConfig().toYaml();
    Bootstrap bootstrap = EnvoyBootstrapParser.parse(yaml);

    assertThat(endpoint(bootstrap, "secure").getAddress()).isEqualTo("172.20.0.1");
    assertThat(endpoint(bootstrap, "secure").getPortValue()).isEqualTo(FakeRoute.FORWARDED + 8443);
    assertThat(yaml).contains("sni: localhost").contains("exact: localhost");
  }

  @Test
  void hostNetworkingBindsLoopbackOnFreePortsAndExposesNothing() throws Exception {
    EnvoyContainer envoy = bridge().withHostNetwork();
    envoy.configure();
    EnvoyConfig config = envoy.envoyConfig();

    assertThat(envoy.getNetworkMode()).isEqualTo("host");
    assertThat(envoy.getExposedPorts()).isEmpty();
    assertThat(envoy.getExtraHosts()).isEmpty();
    assertThat(config.listenAddress()).isEqualTo("127.0.0.1");
    assertThat(config.upstreams())
        .extracting(EnvoyConfig.Upstream::listenPort)
        .doesNotHaveDuplicates()
        .doesNotContain(config.adminPort());
    Bootstrap bootstrap = EnvoyBootstrapParser.parse(config.toYaml());
    assertThat(endpoint(bootstrap, "hfi_control_plane").getAddress()).isEqualTo("localhost");
    assertThat(endpoint(bootstrap, "orders").getAddress()).isEqualTo("127.0.0.1");
    assertThat(bootstrap.getStaticResources().getListenersList())
        .extracting(Listener::getName)
        .containsExactly("orders", "payments");
  }

  @Test
  void adminPortIsConfigurable() {
    EnvoyContainer envoy = bridge().withHostNetwork().withAdminPort(19901);
    envoy.configure();

    assertThat(envoy.envoyConfig().adminPort()).isEqualTo(19901);
  }

  @Test
  void proxyAndAdminUrisUseTheHostPortsOfTheGeneratedListeners() {
    EnvoyContainer envoy = configured(new LoopbackEnvoyContainer()).withHostNetwork();
    envoy.configure();
    EnvoyConfig config = envoy.envoyConfig();

    assertThat(envoy.proxyUri("payments"))
        .isEqualTo(URI.create("http://127.0.0.1:" + config.upstreams().get(1).listenPort()));
    assertThat(envoy.adminUri()).isEqualTo(URI.create("http://127.0.0.1:" + config.adminPort()));
    assertThatThrownBy(() -> envoy.proxyUri("inventory"))
        .hasMessage("proxyUri(\"inventory\"): no such upstream; known: [orders, payments]");
  }

  @Test
  void reconfiguringDoesNotDuplicateTheGatewayHost() {
    EnvoyContainer envoy = bridge();
    envoy.configure();
    envoy.configure();

    assertThat(envoy.getExtraHosts()).hasSize(1);
  }

  @Test
  void urisAreUnavailableBeforeStart() {
    assertThatThrownBy(() -> bridge().proxyUri("orders"))
        .isInstanceOf(TestkitException.class)
        .hasMessage("EnvoyContainer is not started: call start() first")
        .extracting(e -> ((TestkitException) e).code())
        .isEqualTo(TestkitException.Code.NOT_STARTED);
  }

  @Test
  void startingWithoutAControlPlaneSaysWhatToCall() {
    EnvoyContainer envoy =
        new EnvoyContainer().withUpstream("orders", URI.create("http://127.0.0.1:8081"));

    assertThatThrownBy(envoy::configure)
        .isInstanceOf(TestkitException.class)
        .hasMessageContaining(
            "call withControlPlane(hfiClient) or withControlPlane(uri, ackCheck) before start()");
  }

  @Test
  void badUpstreamNamesSurfaceTheConfigBuildersMessage() {
    EnvoyContainer envoy = bridge().withUpstream("Inventory", URI.create("http://127.0.0.1:8082"));

    assertThatThrownBy(envoy::configure)
        .hasMessageContaining("upstream name: must be a DNS-1123 label")
        .hasMessageContaining("got \"Inventory\"");
  }

  @Test
  void everyBadSettingIsNamedInOneExceptionBeforeDockerIsAsked() {
    EnvoyContainer envoy =
        new EnvoyContainer()
            .withUpstream("orders", URI.create("ftp://orders:21"))
            .withControlPlane(URI.create("http://cp:8080/v1"), ACKED)
            .withControlPlane(URI.create("http://cp:8080"), (FilterAckCheck) null)
            .withLogLevel("verbose")
            .withConcurrency(0)
            .withAdminPort(0)
            .withUpstream("payments", URI.create("http://127.0.0.1:8081"))
            .withUpstream("payments", URI.create("http://127.0.0.1:8082"));

    TestkitException e = catchThrowableOfType(TestkitException.class, envoy::start);
    assertThat(e.code()).isEqualTo(TestkitException.Code.INVALID_CONFIGURATION);
    assertThat(e.getMessage())
        .contains(
            "withUpstream(\"orders\"): \"ftp://orders:21\" must be an http or",
            "withControlPlane: \"http://cp:8080/v1\" must be a plain http URI",
            "or (nodes, timeout) -> true to be ready as soon as Envoy is LIVE",
            "withLogLevel(\"verbose\"): not an Envoy log level; use one of [critical, debug,"
                + " error, info, off, trace, warn, warning]",
            "withConcurrency(0): Envoy needs at least 1 worker thread",
            "withAdminPort(0): must be between 1 and 65535",
            "upstream \"payments\" added twice");
  }

  @Test
  void containerSettingsAndTheGeneratedConfigurationsProblemsComeTogether() {
    EnvoyContainer envoy =
        bridge()
            .withLogLevel("loud")
            .withUpstream("Inventory", URI.create("http://127.0.0.1:8082"));

    assertThatThrownBy(envoy::configure)
        .isInstanceOf(TestkitException.class)
        .hasMessageContaining("withLogLevel(\"loud\"): not an Envoy log level")
        .hasMessageContaining("upstream name: must be a DNS-1123 label")
        .hasMessageContaining("got \"Inventory\"");
  }

  @Test
  void byDefaultCopiesTheFilterShippedByHfiWasmFilter() throws Exception {
    EnvoyContainer envoy =
        new EnvoyContainer()
            .withControlPlane(URI.create("http://127.0.0.1:8080"), ACKED)
            .withUpstream("orders", URI.create("http://127.0.0.1:8081"));
    envoy.configure();

    byte[] shipped;
    try (var in = EnvoyContainer.class.getResourceAsStream("/dev/hfi/filter/hfi-filter.wasm")) {
      assertThat(in).as("hfi-filter.wasm from dev.hfi:hfi-wasm-filter").isNotNull();
      shipped = in.readAllBytes();
    }
    assertThat(envoy.copiedFiles().get("/etc/envoy/hfi-filter.wasm").getBytes())
        .isEqualTo(shipped)
        .startsWith(0, 'a', 's', 'm');
  }

  @Test
  void aFileThatIsNotWebAssemblyIsRefused() throws Exception {
    Path text = Files.writeString(dir.resolve("filter.txt"), "hello");
    EnvoyContainer envoy = bridge().withFilterWasm(text);

    assertThatThrownBy(envoy::configure)
        .isInstanceOf(TestkitException.class)
        .hasMessageContaining("is not a WebAssembly module")
        .extracting(e -> ((TestkitException) e).code())
        .isEqualTo(TestkitException.Code.FILTER_NOT_FOUND);
  }

  @Test
  void aMissingFilterFileIsNamed() {
    Path missing = dir.resolve("nope.wasm");
    EnvoyContainer envoy = bridge().withFilterWasm(missing);

    assertThatThrownBy(envoy::configure)
        .hasMessageContaining("withFilterWasm(" + missing + "): cannot read it");
  }

  @Test
  void defaultsToACurrentEnvoyReleaseAndAcceptsOtherEnvoyTags() {
    assertThat(EnvoyContainer.DEFAULT_IMAGE.asCanonicalNameString())
        .isEqualTo("envoyproxy/envoy:v" + EnvoyBinary.ENVOY_VERSION);

    new EnvoyContainer("envoyproxy/envoy:v1.35.6");
    new EnvoyContainer(
        DockerImageName.parse("registry.local/envoy:1")
            .asCompatibleSubstituteFor("envoyproxy/envoy"));
  }

  @Test
  void refusesAnImageThatIsNotEnvoy() {
    assertThatThrownBy(() -> new EnvoyContainer("nginx:1.27"))
        .hasMessageContaining("nginx:1.27")
        .hasMessageContaining("asCompatibleSubstituteFor");
  }

  /**
   * Answers {@code getHost()} without asking Docker, which these tests do not have: with host
   * networking that is where Envoy listens when the daemon is local.
   */
  /** A container whose route to this machine is given, so no Docker is asked. */
  static final class RoutedEnvoyContainer extends EnvoyContainer {
    private final HostRoute route;

    RoutedEnvoyContainer(HostRoute route) {
      this.route = route;
    }

    @Override
    HostRoute hostRoute() {
      return route;
    }
  }

  /** A route that "forwards" port P to port FORWARDED + P on {@code host}. */
  record FakeRoute(String host, boolean needsHostGateway) implements HostRoute {
    static final int FORWARDED = 20000;

    @Override
    public int forward(String target, int port) {
      return FORWARDED + port;
    }

    @Override
    public void close() {}
  }

  static final class LoopbackEnvoyContainer extends EnvoyContainer {
    @Override
    public String getHost() {
      return "127.0.0.1";
    }

    /** What {@code start()} does once the container runs. */
    void awaitReady() {
      getWaitStrategy().waitUntilReady(this);
    }
  }

  private static SocketAddress endpoint(Bootstrap bootstrap, String cluster) {
    Cluster c =
        bootstrap.getStaticResources().getClustersList().stream()
            .filter(x -> x.getName().equals(cluster))
            .findFirst()
            .orElseThrow();
    return c.getLoadAssignment()
        .getEndpoints(0)
        .getLbEndpoints(0)
        .getEndpoint()
        .getAddress()
        .getSocketAddress();
  }
}
