package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import dev.hfi.filter.PluginConfig;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.http.wasm.v3.Wasm;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EnvoyConfigTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static EnvoyConfig.Builder twoUpstreams() {
    return EnvoyConfig.builder()
        .withControlPlane("127.0.0.1", 8080)
        .withUpstream("orders", 10000, "127.0.0.1", 8081)
        .withUpstream("payments", "payments-proxy", 10001, "payments.internal", 9000);
  }

  @Test
  void generatedYamlIsAnEnvoyBootstrapWithOneListenerAndClusterPerUpstream() throws Exception {
    Bootstrap bootstrap = EnvoyBootstrapParser.parse(twoUpstreams().build().toYaml());

    assertThat(bootstrap.getAdmin().getAddress().getSocketAddress().getPortValue()).isEqualTo(9901);
    assertThat(bootstrap.getStaticResources().getListenersList())
        .extracting(Listener::getName, l -> l.getAddress().getSocketAddress().getPortValue())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("orders", 10000),
            org.assertj.core.groups.Tuple.tuple("payments", 10001));
    assertThat(bootstrap.getStaticResources().getClustersList())
        .extracting(Cluster::getName)
        .containsExactly("hfi_control_plane", "orders", "payments");
  }

  @Test
  void clustersUseStaticForIpsAndDnsForNames() throws Exception {
    Bootstrap bootstrap = EnvoyBootstrapParser.parse(twoUpstreams().build().toYaml());
    Cluster controlPlane = cluster(bootstrap, "hfi_control_plane");
    Cluster payments = cluster(bootstrap, "payments");

    assertThat(controlPlane.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    assertThat(endpoint(controlPlane).getAddress()).isEqualTo("127.0.0.1");
    assertThat(endpoint(controlPlane).getPortValue()).isEqualTo(8080);
    assertThat(payments.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    assertThat(payments.getDnsLookupFamily()).isEqualTo(Cluster.DnsLookupFamily.V4_PREFERRED);
    assertThat(endpoint(payments).getAddress()).isEqualTo("payments.internal");
    assertThat(endpoint(payments).getPortValue()).isEqualTo(9000);
  }

  @Test
  void eachListenerRunsTheWasmFilterBeforeTheRouterAndRoutesToItsUpstream() throws Exception {
    Bootstrap bootstrap = EnvoyBootstrapParser.parse(twoUpstreams().build().toYaml());
    HttpConnectionManager hcm =
        EnvoyBootstrapParser.connectionManager(bootstrap.getStaticResources().getListeners(1));

    List<HttpFilter> filters = hcm.getHttpFiltersList();
    assertThat(filters)
        .extracting(HttpFilter::getName)
        .containsExactly("envoy.filters.http.wasm", "envoy.filters.http.router");
    assertThat(filters.get(1).getTypedConfig().is(Router.class)).isTrue();
    Route route = hcm.getRouteConfig().getVirtualHosts(0).getRoutes(0);
    assertThat(route.getMatch().getPrefix()).isEqualTo("/");
    assertThat(route.getRoute().getCluster()).isEqualTo("payments");
    assertThat(route.getRoute().getTimeout().getSeconds()).isZero();
    assertThat(hcm.getUseRemoteAddress().getValue()).isTrue();
  }

  @Test
  void wasmFilterLoadsTheLocalFileInV8WithThePluginConfigurationOfItsNode() throws Exception {
    EnvoyConfig config =
        twoUpstreams()
            .withPollTimeout(Duration.ofSeconds(20))
            .withFilterPath("/opt/hfi.wasm")
            .build();
    Bootstrap bootstrap = EnvoyBootstrapParser.parse(config.toYaml());

    Wasm wasm = wasmOf(bootstrap, 1);
    assertThat(wasm.getConfig().getVmConfig().getRuntime()).isEqualTo("envoy.wasm.runtime.v8");
    assertThat(wasm.getConfig().getVmConfig().getCode().getLocal().getFilename())
        .isEqualTo("/opt/hfi.wasm");
    assertThat(wasm.getConfig().getVmConfig().getVmId())
        .as("one VM per worker serves every listener")
        .isEqualTo("hfi")
        .isEqualTo(wasmOf(bootstrap, 0).getConfig().getVmConfig().getVmId());
    assertThat(wasm.getConfig().getFailurePolicy())
        .as("a broken filter must not take traffic down")
        .isEqualTo(io.envoyproxy.envoy.extensions.wasm.v3.FailurePolicy.FAIL_OPEN);

    JsonNode plugin =
        JSON.readTree(wasm.getConfig().getConfiguration().unpack(StringValue.class).getValue());
    assertThat(plugin.get("cluster").asText()).isEqualTo("hfi_control_plane");
    assertThat(plugin.get("authority").asText()).isEqualTo("127.0.0.1:8080");
    assertThat(plugin.get("node").asText()).isEqualTo("payments-proxy");
    assertThat(plugin.get("pollTimeoutMs").asLong()).isEqualTo(20_000);
    assertThat(plugin.has("token")).isFalse();
    JsonNode ordersPlugin =
        JSON.readTree(
            wasmOf(bootstrap, 0)
                .getConfig()
                .getConfiguration()
                .unpack(StringValue.class)
                .getValue());
    assertThat(ordersPlugin.get("node").asText()).isEqualTo("orders");
  }

  @Test
  void tokenReachesThePluginConfigurationWhenSet() throws Exception {
    EnvoyConfig config = twoUpstreams().withControlPlaneToken("s3cret").build();

    JsonNode plugin = JSON.readTree(config.pluginConfiguration(config.upstreams().get(0)));

    assertThat(plugin.get("token").asText()).isEqualTo("s3cret");
  }

  @Test
  void controlPlaneClusterNameIsTheBootstrapsClusterAndThePluginsSetting() throws Exception {
    EnvoyConfig config =
        EnvoyConfig.builder()
            .withControlPlane("hfi-control-plane.hfi-system.svc.cluster.local", 8080)
            .withControlPlaneCluster(EnvoyConfig.ISTIO_CONTROL_PLANE_CLUSTER)
            .withUpstream("sample-app", 10000, "127.0.0.1", 8080)
            .build();
    Bootstrap bootstrap = EnvoyBootstrapParser.parse(config.toYaml());

    assertThat(bootstrap.getStaticResources().getClustersList())
        .extracting(Cluster::getName)
        .containsExactly(
            "outbound|8080||hfi-control-plane.hfi-system.svc.cluster.local", "sample-app");
    Cluster cp = bootstrap.getStaticResources().getClusters(0);
    assertThat(cp.getLoadAssignment().getClusterName()).isEqualTo(cp.getName());
    assertThat(cp.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    PluginConfig decoded =
        PluginConfig.decode(config.pluginConfiguration(config.upstreams().get(0)));
    assertThat(decoded.cluster()).isEqualTo(EnvoyConfig.ISTIO_CONTROL_PLANE_CLUSTER);
    assertThat(decoded.authority())
        .isEqualTo("hfi-control-plane.hfi-system.svc.cluster.local:8080");
    assertThat(config.controlPlaneCluster()).isEqualTo(EnvoyConfig.ISTIO_CONTROL_PLANE_CLUSTER);
    assertThat(twoUpstreams().build().controlPlaneCluster())
        .as("default")
        .isEqualTo(EnvoyConfig.CONTROL_PLANE_CLUSTER);
  }

  @Test
  void controlPlaneClusterNameMustBeSafeAndNotAnUpstreamsName() {
    assertThatThrownBy(() -> twoUpstreams().withControlPlaneCluster("bad name\"").build())
        .isInstanceOf(TestkitException.class)
        .hasMessageContaining("controlPlaneCluster \"bad name\"\"")
        .hasMessageContaining("e.g. \"hfi_control_plane\"");
    assertThatThrownBy(() -> twoUpstreams().withControlPlaneCluster("").build())
        .hasMessageContaining("controlPlaneCluster \"\"");
    assertThatThrownBy(() -> twoUpstreams().withControlPlaneCluster(null).build())
        .hasMessageContaining("controlPlaneCluster \"null\"");
    assertThatThrownBy(() -> twoUpstreams().withControlPlaneCluster("orders").build())
        .hasMessageContaining("controlPlaneCluster \"orders\": an upstream has the same name");
  }

  @Test
  void theFiltersOwnDecoderAcceptsThePluginConfigurationOfEveryListener() {
    EnvoyConfig config =
        twoUpstreams()
            .withControlPlaneToken("s3cret")
            .withPollTimeout(Duration.ofSeconds(25))
            .build();

    for (EnvoyConfig.Upstream upstream : config.upstreams()) {
      PluginConfig decoded = PluginConfig.decode(config.pluginConfiguration(upstream));
      assertThat(decoded.node()).isEqualTo(upstream.node());
      assertThat(decoded.cluster()).isEqualTo(EnvoyConfig.CONTROL_PLANE_CLUSTER);
      assertThat(decoded.authority()).isEqualTo("127.0.0.1:8080");
      assertThat(decoded.pollTimeoutMs()).isEqualTo(25_000);
      assertThat(decoded.token()).isEqualTo("s3cret");
    }
  }

  @Test
  void theFiltersDefaultClusterIsTheControlPlaneClusterEveryDataPlaneNames() {
    assertThat(PluginConfig.decode("").cluster()).isEqualTo(EnvoyConfig.CONTROL_PLANE_CLUSTER);
    assertThat(PluginConfig.decode("{\"node\":\"orders\"}").cluster())
        .isEqualTo(EnvoyConfig.CONTROL_PLANE_CLUSTER);
  }

  @Test
  void ipv6ControlPlaneGetsABracketedAuthorityAndABareAddress() throws Exception {
    EnvoyConfig config =
        EnvoyConfig.builder()
            .withControlPlane("::1", 8080)
            .withUpstream("orders", 10000, "127.0.0.1", 8081)
            .build();
    Bootstrap bootstrap = EnvoyBootstrapParser.parse(config.toYaml());

    assertThat(endpoint(cluster(bootstrap, "hfi_control_plane")).getAddress()).isEqualTo("::1");
    assertThat(
            JSON.readTree(config.pluginConfiguration(config.upstreams().get(0)))
                .get("authority")
                .asText())
        .isEqualTo("[::1]:8080");
  }

  @Test
  void aMisspeltFieldInTheConnectionManagerIsRejectedByName() {
    String yaml = twoUpstreams().build().toYaml();
    assertThat(yaml).contains("stat_prefix:");

    assertThatThrownBy(
            () -> EnvoyBootstrapParser.parse(yaml.replaceFirst("stat_prefix:", "stat_prefx:")))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("stat_prefx");
  }

  @Test
  void aMisspeltFieldInsideTheWasmFilterIsRejectedByName() {
    String yaml = twoUpstreams().build().toYaml();
    assertThat(yaml).contains("vm_config:");

    assertThatThrownBy(() -> EnvoyBootstrapParser.parse(yaml.replace("vm_config:", "vm_confg:")))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("vm_confg");
  }

  @Test
  void aMisspeltBootstrapFieldIsRejectedByName() {
    String yaml = twoUpstreams().build().toYaml();

    assertThatThrownBy(
            () -> EnvoyBootstrapParser.parse(yaml.replace("static_resources:", "static_resource:")))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("static_resource");
  }

  @Test
  void missingControlPlaneAndUpstreamsAreBothReportedWithTheirFix() {
    assertThatThrownBy(() -> EnvoyConfig.builder().build())
        .isInstanceOf(TestkitException.class)
        .hasMessageContaining("controlPlane: not set; call withControlPlane(host, port)")
        .hasMessageContaining("upstreams: none; call withUpstream(name, listenPort, host, port)")
        .extracting(e -> ((TestkitException) e).code())
        .isEqualTo(TestkitException.Code.INVALID_CONFIGURATION);
  }

  @Test
  void upstreamNamesMustBeUniqueDnsLabels() {
    assertThatThrownBy(
            () ->
                EnvoyConfig.builder()
                    .withControlPlane("127.0.0.1", 8080)
                    .withUpstream("Orders_1", 10000, "127.0.0.1", 8081)
                    .withUpstream("pay", 10001, "127.0.0.1", 8082)
                    .withUpstream("pay", 10002, "127.0.0.1", 8083)
                    .build())
        .hasMessageContaining(
            "upstream name: must be a DNS-1123 label (lower-case letters, digits and '-', starting"
                + " and ending with a letter or digit, at most 63 characters), got \"Orders_1\","
                + " e.g. \"orders\"")
        .hasMessageContaining("upstream \"pay\": added twice");
  }

  @Test
  void listenPortsMayNotClashWithEachOtherOrTheAdminPort() {
    assertThatThrownBy(
            () ->
                EnvoyConfig.builder()
                    .withControlPlane("127.0.0.1", 8080)
                    .withUpstream("a", 9901, "127.0.0.1", 8081)
                    .withUpstream("b", 10000, "127.0.0.1", 8082)
                    .withUpstream("c", 10000, "127.0.0.1", 8083)
                    .build())
        .hasMessageContaining("upstream \"a\": listenPort 9901 is already used")
        .hasMessageContaining("upstream \"c\": listenPort 10000 is already used")
        .message()
        .doesNotContain("upstream \"b\"");
  }

  @Test
  void hostsWithSchemeAndOutOfRangePortsAreRejected() {
    assertThatThrownBy(
            () ->
                EnvoyConfig.builder()
                    .withControlPlane("http://cp", 70000)
                    .withUpstream("orders", -1, "127.0.0.1", 8081)
                    .build())
        .hasMessageContaining(
            "controlPlane host \"http://cp\": must be a host name or IP address without scheme"
                + " or port")
        .hasMessageContaining("controlPlane port 70000: must be between 1 and 65535")
        .hasMessageContaining("upstream \"orders\" listenPort -1: must be between 1 and 65535");
  }

  @Test
  void filterPathMustBeAbsoluteAndPollTimeoutBounded() {
    assertThatThrownBy(
            () ->
                twoUpstreams()
                    .withFilterPath("hfi-filter.wasm")
                    .withPollTimeout(Duration.ofHours(1))
                    .build())
        .hasMessageContaining("filterPath \"hfi-filter.wasm\": must be an absolute path")
        .hasMessageContaining("pollTimeout 1h: must be between 1 ms and 5 min");
  }

  @Test
  void nodeNamesAreCheckedLikeUpstreamNames() {
    assertThatThrownBy(
            () ->
                EnvoyConfig.builder()
                    .withControlPlane("127.0.0.1", 8080)
                    .withUpstream("orders", "Orders Proxy", 10000, "127.0.0.1", 8081)
                    .build())
        .hasMessageContaining(
            "upstream \"orders\" node: must be a DNS-1123 label (lower-case letters, digits and"
                + " '-', starting and ending with a letter or digit, at most 63 characters), got"
                + " \"Orders Proxy\", e.g. \"orders-proxy\"");
  }

  private static Wasm wasmOf(Bootstrap bootstrap, int listener) throws Exception {
    HttpConnectionManager hcm =
        EnvoyBootstrapParser.connectionManager(
            bootstrap.getStaticResources().getListeners(listener));
    return EnvoyBootstrapParser.wasm(hcm.getHttpFilters(0).getTypedConfig());
  }

  private static Cluster cluster(Bootstrap bootstrap, String name) {
    return bootstrap.getStaticResources().getClustersList().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static SocketAddress endpoint(Cluster cluster) {
    return cluster
        .getLoadAssignment()
        .getEndpoints(0)
        .getLbEndpoints(0)
        .getEndpoint()
        .getAddress()
        .getSocketAddress();
  }

  @Test
  void adminListensOnLoopbackUnlessToldOtherwise() throws Exception {
    Bootstrap bootstrap = EnvoyBootstrapParser.parse(twoUpstreams().build().toYaml());
    assertThat(bootstrap.getAdmin().getAddress().getSocketAddress().getAddress())
        .isEqualTo("127.0.0.1");
    assertThat(
            EnvoyBootstrapParser.parse(twoUpstreams().withAdminAddress("0.0.0.0").build().toYaml())
                .getAdmin()
                .getAddress()
                .getSocketAddress()
                .getAddress())
        .isEqualTo("0.0.0.0");
  }

  @Test
  void upstreamClustersSpeakTheClientsProtocolAndTlsForHttpsUpstreams() throws Exception {
    Bootstrap bootstrap =
        EnvoyBootstrapParser.parse(
            EnvoyConfig.builder()
                .withControlPlane("127.0.0.1", 8080)
                .withUpstream(
                    "staging", "staging", 0, java.net.URI.create("https://staging.example.com"))
                .withTrustedCa("/etc/hfi/test-ca.pem")
                .build()
                .toYaml());
    Cluster staging = cluster(bootstrap, "staging");
    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions options =
        staging
            .getTypedExtensionProtocolOptionsMap()
            .get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
            .unpack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class);
    assertThat(options.hasUseDownstreamProtocolConfig()).isTrue();
    assertThat(options.getUseDownstreamProtocolConfig().hasHttp2ProtocolOptions()).isTrue();
    assertThat(endpoint(staging).getPortValue()).isEqualTo(443);
    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext tls =
        staging
            .getTransportSocket()
            .getTypedConfig()
            .unpack(
                io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.class);
    assertThat(tls.getSni()).isEqualTo("staging.example.com");
    assertThat(tls.getCommonTlsContext().getValidationContext().getTrustedCa().getFilename())
        .isEqualTo("/etc/hfi/test-ca.pem");
    assertThat(
            tls.getCommonTlsContext()
                .getValidationContext()
                .getMatchTypedSubjectAltNames(0)
                .getMatcher()
                .getExact())
        .isEqualTo("staging.example.com");
  }
}
