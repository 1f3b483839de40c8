package dev.hfi.testkit;

import dev.hfi.client.Durations;
import dev.hfi.client.Names;
import dev.hfi.testkit.internal.EnvoyYaml;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An Envoy v3 bootstrap configuration ({@code envoy.yaml}) that runs the HFI filter in front of one
 * or more upstreams.
 *
 * <p>The generated file holds: the admin listener (on {@code 127.0.0.1} unless {@link
 * Builder#withAdminAddress} says otherwise: Envoy's admin interface can stop the server); one
 * listener per upstream, each with an HTTP connection manager (HTTP/1.1 and HTTP/2 cleartext) whose
 * filter chain is the HFI Wasm filter ({@code envoy.filters.http.wasm}, V8 runtime, code from
 * {@link #filterPath()}, {@code failure_policy: FAIL_OPEN}) followed by the router; the cluster
 * {@value #CONTROL_PLANE_CLUSTER} (or {@link Builder#withControlPlaneCluster}) that the filter's
 * long polls go to; and one cluster per upstream, which speaks the protocol its client spoke
 * (HTTP/2 for gRPC) and TLS for {@code https} upstreams. Every listener's filter runs in one VM per
 * worker ({@code vm_id: hfi}) and gets the plugin configuration of docs/API_REFERENCE.md with
 * {@code node} set to that upstream's node name, so policies can target one upstream.
 *
 * <p>Instances are immutable and thread-safe; the builder is not.
 *
 * <pre>{@code
 * String yaml = EnvoyConfig.builder()
 *     .withControlPlane("127.0.0.1", 8080)
 *     .withUpstream("orders", 10000, "127.0.0.1", 8081)
 *     .build()
 *     .toYaml();
 * }</pre>
 */
public final class EnvoyConfig {

  /**
   * Name of the cluster that reaches the control plane (the filter's {@code cluster} setting): the
   * one place every data plane (Envoy bootstraps, the embedded data plane, {@code EnvoyContainer})
   * and message takes it from. The filter, compiled to Wasm without dependencies, has the same
   * default; {@code EnvoyConfigTest} pins the two equal.
   */
  public static final String CONTROL_PLANE_CLUSTER = "hfi_control_plane";

  /**
   * The name Istio gives the outbound cluster of the control plane's Service in the default
   * namespace {@code hfi-system} ({@code outbound|PORT|SUBSET|FQDN}), for {@link
   * Builder#withControlPlaneCluster}: a bootstrap with this name stands for an Istio sidecar.
   */
  public static final String ISTIO_CONTROL_PLANE_CLUSTER =
      "outbound|8080||hfi-control-plane.hfi-system.svc.cluster.local";

  /**
   * Where {@code EnvoyContainer} (hfi-testcontainers) puts the filter, and the default {@link
   * #filterPath()}.
   */
  public static final String DEFAULT_FILTER_PATH = "/etc/envoy/hfi-filter.wasm";

  public static final int DEFAULT_ADMIN_PORT = 9901;

  public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofSeconds(30);

  /** CA bundle Envoy trusts for {@code https} upstreams unless told otherwise (Debian, Ubuntu). */
  public static final String DEFAULT_TRUSTED_CA = "/etc/ssl/certs/ca-certificates.crt";

  // Envoy accepts any non-empty cluster name; these characters cover HFI's own name and Istio's
  // outbound|PORT|SUBSET|FQDN names, and nothing that would need quoting in YAML or JSON.
  private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9_.|:-]{1,253}");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\[\\]-]+");
  private static final Duration MAX_POLL_TIMEOUT = Duration.ofMinutes(5);

  /**
   * One proxied upstream: Envoy listens on {@code listenPort} and forwards to {@code host:port}
   * (over TLS when {@code tls}); its filter reports to the control plane as {@code node}.
   */
  public record Upstream(
      String name, String node, int listenPort, String host, int port, boolean tls) {}

  private final String listenAddress;
  private final String adminAddress;
  private final int adminPort;
  private final String trustedCa;
  private final String controlPlaneHost;
  private final int controlPlanePort;
  private final String controlPlaneCluster;
  private final String controlPlaneToken;
  private final String filterPath;
  private final Duration pollTimeout;
  private final List<Upstream> upstreams;
  private final Map<String, String> connectTo;
  private final boolean requestJournal;

  private EnvoyConfig(Builder b) {
    this.listenAddress = b.listenAddress;
    this.adminAddress = b.adminAddress;
    this.adminPort = b.adminPort;
    this.trustedCa = b.trustedCa;
    this.controlPlaneHost = b.controlPlaneHost;
    this.controlPlanePort = b.controlPlanePort;
    this.controlPlaneCluster = b.controlPlaneCluster;
    this.controlPlaneToken = b.controlPlaneToken;
    this.filterPath = b.filterPath;
    this.pollTimeout = b.pollTimeout;
    this.upstreams = List.copyOf(b.upstreams);
    this.connectTo = Map.copyOf(b.connectTo);
    this.requestJournal = b.requestJournal;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Address every upstream's listener binds to. */
  public String listenAddress() {
    return listenAddress;
  }

  /** Address the admin interface binds to. */
  public String adminAddress() {
    return adminAddress;
  }

  /** PEM bundle of the CAs Envoy trusts for {@code https} upstreams. */
  public String trustedCa() {
    return trustedCa;
  }

  public int adminPort() {
    return adminPort;
  }

  public String controlPlaneHost() {
    return controlPlaneHost;
  }

  public int controlPlanePort() {
    return controlPlanePort;
  }

  /**
   * Name of the cluster that reaches the control plane: the bootstrap's cluster and the plugin
   * configuration's {@code cluster}; default {@value #CONTROL_PLANE_CLUSTER}.
   */
  public String controlPlaneCluster() {
    return controlPlaneCluster;
  }

  /** Path of the filter's {@code .wasm} as Envoy sees it. */
  public String filterPath() {
    return filterPath;
  }

  public Duration pollTimeout() {
    return pollTimeout;
  }

  /** Upstreams in the order they were added. */
  public List<Upstream> upstreams() {
    return upstreams;
  }

  /**
   * Whether the filters write the request journal to Envoy's log (the plugin configuration's {@code
   * journal}, docs/FILTER.md); default off.
   */
  public boolean requestJournal() {
    return requestJournal;
  }

  /** Bearer token the filter sends to the control plane, or {@code null} for none. */
  public String controlPlaneToken() {
    return controlPlaneToken;
  }

  /**
   * Where Envoy connects for {@code host:port} (the control plane or an upstream), as {@code
   * host:port}: the address given with {@link Builder#withConnectTo}, else {@code host:port}.
   */
  public String connectAddress(String host, int port) {
    return connectTo.getOrDefault(host + ":" + port, host + ":" + port);
  }

  /** The filter's plugin configuration (compact JSON) for the listener of {@code upstream}. */
  public String pluginConfiguration(Upstream upstream) {
    return EnvoyYaml.pluginConfiguration(this, upstream);
  }

  /** The bootstrap as Envoy reads it with {@code -c}. */
  public String toYaml() {
    return EnvoyYaml.write(this);
  }

  /** Collects settings; {@link #build()} checks them all and reports every problem at once. */
  public static final class Builder {
    private String listenAddress = "0.0.0.0";
    private String adminAddress = "127.0.0.1";
    private int adminPort = DEFAULT_ADMIN_PORT;
    private String trustedCa = DEFAULT_TRUSTED_CA;
    private String controlPlaneHost;
    private int controlPlanePort;
    private String controlPlaneCluster = CONTROL_PLANE_CLUSTER;
    private String controlPlaneToken;
    private String filterPath = DEFAULT_FILTER_PATH;
    private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
    private boolean requestJournal;
    private final List<Upstream> upstreams = new ArrayList<>();
    private final Map<String, String> connectTo = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private Builder() {}

    /**
     * Envoy opens its connections for {@code host:port} (the control plane's or an upstream's) to
     * {@code toHost:toPort} instead, like curl's {@code --connect-to}, while everything else keeps
     * naming {@code host}: the control plane's {@code :authority}, an {@code https} upstream's SNI
     * and the name its certificate must carry. {@code EnvoyContainer} (hfi-testcontainers) uses it
     * to reach servers on the host's loopback through a forwarder.
     */
    public Builder withConnectTo(String host, int port, String toHost, int toPort) {
      List<String> found = new ArrayList<>();
      checkHost("connectTo host", host, found);
      checkHost("connectTo toHost", toHost, found);
      checkPort("connectTo port", port, found, false);
      checkPort("connectTo toPort", toPort, found, false);
      if (found.isEmpty()) {
        connectTo.put(host + ":" + port, toHost + ":" + toPort);
      }
      problems.addAll(found);
      return this;
    }

    /** Address for the upstreams' listeners; default {@code 0.0.0.0}. */
    public Builder withListenAddress(String listenAddress) {
      this.listenAddress = listenAddress;
      return this;
    }

    /**
     * Address of the admin interface; default {@code 127.0.0.1}. Bind it elsewhere only where the
     * network is private (e.g. {@code 0.0.0.0} inside a container whose port is mapped to
     * loopback): the admin interface can change log levels and stop Envoy.
     */
    public Builder withAdminAddress(String adminAddress) {
      this.adminAddress = adminAddress;
      return this;
    }

    /**
     * PEM file, as Envoy sees it, of the CAs trusted for {@code https} upstreams; default {@value
     * #DEFAULT_TRUSTED_CA} (the system bundle). A test CA goes here.
     */
    public Builder withTrustedCa(String pemPath) {
      this.trustedCa = pemPath;
      return this;
    }

    /** Port of Envoy's admin interface (0: any free port); default {@value #DEFAULT_ADMIN_PORT}. */
    public Builder withAdminPort(int adminPort) {
      this.adminPort = adminPort;
      return this;
    }

    /** Where Envoy reaches the control plane (as seen from Envoy). Required. */
    public Builder withControlPlane(String host, int port) {
      this.controlPlaneHost = host;
      this.controlPlanePort = port;
      return this;
    }

    /**
     * Name of the cluster that reaches the control plane, in the bootstrap and in the filter's
     * plugin configuration; default {@value #CONTROL_PLANE_CLUSTER}. Istio names the cluster of a
     * Service {@code outbound|PORT||FQDN} ({@link #ISTIO_CONTROL_PLANE_CLUSTER}); a bootstrap with
     * that name proves a plugin configuration made for an Istio sidecar.
     */
    public Builder withControlPlaneCluster(String name) {
      this.controlPlaneCluster = name;
      return this;
    }

    /** Bearer token for a control plane that requires one. */
    public Builder withControlPlaneToken(String token) {
      this.controlPlaneToken = token;
      return this;
    }

    /**
     * Absolute path of {@code hfi-filter.wasm} as Envoy sees it; default {@value
     * #DEFAULT_FILTER_PATH}.
     */
    public Builder withFilterPath(String filterPath) {
      this.filterPath = filterPath;
      return this;
    }

    /** How long each of the filter's long polls is held by the control plane; default 30 s. */
    public Builder withPollTimeout(Duration pollTimeout) {
      this.pollTimeout = pollTimeout;
      return this;
    }

    /**
     * Makes the filters write a request journal entry per request to Envoy's log at info level
     * (docs/FILTER.md, "Request journal"); default off, for production proxies.
     */
    public Builder withRequestJournal(boolean on) {
      this.requestJournal = on;
      return this;
    }

    /** Adds a plain-HTTP upstream whose filter reports as node {@code name}. */
    public Builder withUpstream(String name, int listenPort, String host, int port) {
      return withUpstream(name, name, listenPort, host, port);
    }

    /** Adds a plain-HTTP upstream whose filter reports as {@code node}. */
    public Builder withUpstream(String name, String node, int listenPort, String host, int port) {
      upstreams.add(new Upstream(name, node, listenPort, host, port, false));
      return this;
    }

    /**
     * Adds an upstream given as an {@code http://} or {@code https://} URI (port defaults to 80 or
     * 443), whose filter reports as {@code node}; listen port 0 lets Envoy pick a free one.
     */
    public Builder withUpstream(String name, String node, int listenPort, URI upstream) {
      String scheme = upstream == null ? null : upstream.getScheme();
      boolean tls = "https".equals(scheme);
      if (upstream == null || !(tls || "http".equals(scheme)) || upstream.getHost() == null) {
        problems.add(
            "upstream \""
                + name
                + "\": \""
                + upstream
                + "\" must be an http:// or https:// URI with a host, e.g. http://127.0.0.1:8081");
        return this;
      }
      int port = upstream.getPort() != -1 ? upstream.getPort() : tls ? 443 : 80;
      upstreams.add(new Upstream(name, node, listenPort, upstream.getHost(), port, tls));
      return this;
    }

    /**
     * Checks every setting.
     *
     * @throws TestkitException with {@link TestkitException.Code#INVALID_CONFIGURATION} listing
     *     each problem and its fix
     */
    public EnvoyConfig build() {
      List<String> problems = new ArrayList<>(this.problems);
      checkHost("listenAddress", listenAddress, problems);
      checkHost("adminAddress", adminAddress, problems);
      checkPort("adminPort", adminPort, problems, true);
      if (trustedCa == null || !trustedCa.startsWith("/")) {
        problems.add(
            "trustedCa \""
                + trustedCa
                + "\": must be the absolute path of a PEM file inside Envoy's file system, e.g. \""
                + DEFAULT_TRUSTED_CA
                + "\"");
      }
      if (controlPlaneHost == null) {
        problems.add(
            "controlPlane: not set; call withControlPlane(host, port) with the address at which"
                + " Envoy reaches the HFI control plane");
      } else {
        checkHost("controlPlane host", controlPlaneHost, problems);
        checkPort("controlPlane port", controlPlanePort, problems, false);
      }
      if (controlPlaneCluster == null || !CLUSTER_NAME.matcher(controlPlaneCluster).matches()) {
        problems.add(
            "controlPlaneCluster \""
                + controlPlaneCluster
                + "\": must be 1 to 253 characters of a-z, A-Z, 0-9, '_', '.', '|', ':' or '-',"
                + " e.g. \""
                + CONTROL_PLANE_CLUSTER
                + "\" or \""
                + ISTIO_CONTROL_PLANE_CLUSTER
                + "\"");
      } else if (upstreams.stream().anyMatch(u -> controlPlaneCluster.equals(u.name()))) {
        problems.add(
            "controlPlaneCluster \""
                + controlPlaneCluster
                + "\": an upstream has the same name (each upstream has a cluster of its name);"
                + " rename one of them");
      }
      if (controlPlaneToken != null
          && (controlPlaneToken.isBlank() || hasControl(controlPlaneToken))) {
        problems.add("controlPlaneToken: must be non-blank printable text, or not set at all");
      }
      if (filterPath == null || !filterPath.startsWith("/")) {
        problems.add(
            "filterPath \""
                + filterPath
                + "\": must be an absolute path inside Envoy's file system,"
                + " e.g. \""
                + DEFAULT_FILTER_PATH
                + "\"");
      }
      if (pollTimeout == null
          || pollTimeout.toMillis() < 1
          || pollTimeout.compareTo(MAX_POLL_TIMEOUT) > 0) {
        problems.add(
            "pollTimeout "
                + Durations.format(pollTimeout)
                + ": must be between 1 ms and 5 min, e.g. Duration.ofSeconds(30)");
      }
      checkUpstreams(problems);
      if (!problems.isEmpty()) {
        throw new TestkitException(
            TestkitException.Code.INVALID_CONFIGURATION,
            "invalid Envoy configuration: " + String.join("; ", problems));
      }
      return new EnvoyConfig(this);
    }

    private void checkUpstreams(List<String> problems) {
      if (upstreams.isEmpty()) {
        problems.add(
            "upstreams: none; call withUpstream(name, listenPort, host, port) at least once");
      }
      Set<String> names = new HashSet<>();
      Set<Integer> ports = new HashSet<>();
      if (adminPort != 0) {
        ports.add(adminPort);
      }
      for (Upstream u : upstreams) {
        String where = "upstream \"" + u.name() + "\"";
        String badName = Names.checkDns1123Label("upstream name", u.name());
        if (badName != null) {
          problems.add(badName + ", e.g. \"orders\"");
        } else if (!names.add(u.name())) {
          problems.add(where + ": added twice; give each upstream its own name");
        }
        String badNode = Names.checkDns1123Label(where + " node", u.node());
        if (badNode != null) {
          problems.add(badNode + ", e.g. \"orders-proxy\"");
        }
        checkPort(where + " listenPort", u.listenPort(), problems, true);
        if (u.listenPort() != 0 && !ports.add(u.listenPort())) {
          problems.add(
              where
                  + ": listenPort "
                  + u.listenPort()
                  + " is already used by the admin interface or another upstream; pick another");
        }
        checkHost(where + " host", u.host(), problems);
        checkPort(where + " port", u.port(), problems, false);
      }
    }

    private static void checkPort(String what, int port, List<String> problems, boolean zeroOk) {
      if (port < (zeroOk ? 0 : 1) || port > 65535) {
        problems.add(
            what + " " + port + ": must be between 1 and 65535" + (zeroOk ? " (0: any free)" : ""));
      }
    }

    private static void checkHost(String what, String host, List<String> problems) {
      if (host == null || !HOST.matcher(host).matches()) {
        problems.add(
            what
                + " \""
                + host
                + "\": must be a host name or IP address without scheme or port, e.g. \"127.0.0.1\"");
      }
    }

    private static boolean hasControl(String s) {
      return s.chars().anyMatch(Character::isISOControl);
    }
  }

  @Override
  public String toString() {
    return "EnvoyConfig{controlPlane="
        + controlPlaneHost
        + ":"
        + controlPlanePort
        + ", controlPlaneCluster="
        + controlPlaneCluster
        + ", adminPort="
        + adminPort
        + ", upstreams="
        + upstreams
        + "}";
  }
}
