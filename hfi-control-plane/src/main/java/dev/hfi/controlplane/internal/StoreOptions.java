package dev.hfi.controlplane.internal;

import dev.hfi.client.internal.Durations;
import dev.hfi.controlplane.EtcdPolicyStore;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.controlplane.PolicyStore;
import java.io.File;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The store options of the control-plane entry point: {@code --store memory|etcd} and the {@code
 * --etcd-*} settings. Collects them, then {@link #build()} checks them together and opens the
 * store. Not thread-safe (used while parsing arguments).
 */
public final class StoreOptions {
  /** Every option this class takes, each with a value, and its help text. */
  public static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("--store", "memory (default) or etcd");
    OPTIONS.put("--etcd-endpoints", "etcd client URLs, comma-separated: http://127.0.0.1:2379");
    OPTIONS.put("--etcd-prefix", "key prefix, default " + EtcdPolicyStore.DEFAULT_PREFIX);
    OPTIONS.put("--etcd-user", "etcd user (password from --etcd-password or HFI_ETCD_PASSWORD)");
    OPTIONS.put("--etcd-password", "etcd password (prefer the HFI_ETCD_PASSWORD variable)");
    OPTIONS.put("--etcd-ca", "PEM file of the CA that signed etcd's certificate (TLS)");
    OPTIONS.put("--etcd-cert", "PEM client certificate for etcd's client-cert-auth");
    OPTIONS.put("--etcd-key", "PEM (PKCS#8) key of --etcd-cert");
    OPTIONS.put("--etcd-lease-ttl", "leader lease TTL: how fast another replica takes over (10s)");
    OPTIONS.put("--etcd-timeout", "per-request timeout before etcd counts as unavailable (2s)");
  }

  private final Map<String, String> values = new LinkedHashMap<>();

  /** Whether {@code option} is one of these options. */
  public static boolean isStoreOption(String option) {
    return OPTIONS.containsKey(option);
  }

  /** Records an option's value. */
  public void set(String option, String value) {
    values.put(option, value);
  }

  /**
   * Opens the selected store.
   *
   * @param env the environment, for {@code HFI_ETCD_PASSWORD}
   * @throws IllegalArgumentException naming the option to fix
   */
  public PolicyStore build(Map<String, String> env) {
    String kind = values.getOrDefault("--store", "memory");
    switch (kind) {
      case "memory" -> {
        for (String o : values.keySet()) {
          if (o.startsWith("--etcd-")) {
            throw new IllegalArgumentException(o + " needs --store etcd");
          }
        }
        return new MemoryPolicyStore();
      }
      case "etcd" -> {
        return etcd(env);
      }
      default ->
          throw new IllegalArgumentException("--store: expected memory or etcd, got " + kind);
    }
  }

  private PolicyStore etcd(Map<String, String> env) {
    EtcdPolicyStore.Builder b = EtcdPolicyStore.builder();
    String endpoints = values.get("--etcd-endpoints");
    if (endpoints == null || endpoints.isBlank()) {
      throw new IllegalArgumentException(
          "--store etcd needs --etcd-endpoints, e.g. --etcd-endpoints http://127.0.0.1:2379");
    }
    b.withEndpoints(endpoints.split(","));
    if (values.containsKey("--etcd-prefix")) {
      b.withPrefix(values.get("--etcd-prefix"));
    }
    String user = values.get("--etcd-user");
    String password = values.getOrDefault("--etcd-password", env.get("HFI_ETCD_PASSWORD"));
    if (user != null || values.containsKey("--etcd-password")) {
      b.withCredentials(user, password);
    }
    String ca = values.get("--etcd-ca");
    String cert = values.get("--etcd-cert");
    String key = values.get("--etcd-key");
    if (ca != null || cert != null || key != null) {
      b.withTls(file(ca), file(cert), file(key));
    }
    if (values.containsKey("--etcd-lease-ttl")) {
      b.withLeaseTtl(duration("--etcd-lease-ttl"));
    }
    if (values.containsKey("--etcd-timeout")) {
      b.withRequestTimeout(duration("--etcd-timeout"));
    }
    return b.build();
  }

  private Duration duration(String option) {
    Duration d = Durations.parse(values.get(option));
    if (d == null) {
      throw new IllegalArgumentException(
          option + ": expected a duration such as 10s, got " + values.get(option));
    }
    return d;
  }

  private static File file(String path) {
    return path == null ? null : new File(path);
  }
}
