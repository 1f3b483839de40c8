package dev.hfi.controlplane;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Which policy store a control plane runs on, and its settings: the one place that turns them into
 * a {@link PolicyStore}, for {@code hfi control-plane} (and the images, through its {@code HFI_*}
 * variables) and for the JUnit extension. Settings carry the names of the CLI options ({@code
 * --etcd-endpoints} ...), and problems are reported with those names.
 *
 * <p>An unset etcd setting is {@code null} and takes {@link EtcdPolicyStore}'s default; any etcd
 * setting with the memory store is a mistake and is reported, not ignored.
 *
 * @param kind memory or etcd
 * @param etcdEndpoints etcd client URLs ({@code --etcd-endpoints}); required for etcd
 * @param etcdPrefix key prefix ({@code --etcd-prefix}); null for {@link
 *     EtcdPolicyStore#DEFAULT_PREFIX}
 * @param etcdUser etcd user ({@code --etcd-user}), or null
 * @param etcdPassword its password ({@code --etcd-password} or {@code HFI_ETCD_PASSWORD}), or null
 * @param etcdCa PEM CA of etcd's server certificate ({@code --etcd-ca}), or null
 * @param etcdCert PEM client certificate ({@code --etcd-cert}), or null
 * @param etcdKey its PKCS#8 key ({@code --etcd-key}), or null
 * @param etcdLeaseTtl leader-election lease ({@code --etcd-lease-ttl}), or null for the default
 * @param etcdTimeout per-request timeout ({@code --etcd-timeout}), or null for the default
 */
public record StoreSelection(
    Kind kind,
    List<String> etcdEndpoints,
    String etcdPrefix,
    String etcdUser,
    String etcdPassword,
    File etcdCa,
    File etcdCert,
    File etcdKey,
    Duration etcdLeaseTtl,
    Duration etcdTimeout) {

  /** The store kinds, as {@code --store} spells them. */
  public enum Kind {
    /** In memory: policies are lost when the control plane stops. */
    memory,
    /** etcd: policies survive restarts and replicas share them. */
    etcd
  }

  /** Normalises the endpoint list (null = none). */
  public StoreSelection {
    etcdEndpoints = etcdEndpoints == null ? List.of() : List.copyOf(etcdEndpoints);
  }

  /** The memory store. */
  public static StoreSelection memory() {
    return new StoreSelection(Kind.memory, null, null, null, null, null, null, null, null, null);
  }

  /**
   * etcd at these client URLs under this key prefix (null: the default), other settings default.
   */
  public static StoreSelection etcd(List<String> endpoints, String prefix) {
    return new StoreSelection(
        Kind.etcd, endpoints, prefix, null, null, null, null, null, null, null);
  }

  /**
   * Opens the selected store after checking every setting together.
   *
   * @throws HfiException with {@link ErrorCode#INVALID_CONFIGURATION} naming every option to fix
   */
  public PolicyStore open() {
    List<String> problems = new ArrayList<>();
    if (kind == null) {
      problems.add("--store: expected memory or etcd");
    } else if (kind == Kind.memory) {
      etcdSettings().forEach(o -> problems.add(o + " needs --store etcd"));
    } else if (etcdEndpoints.isEmpty()) {
      problems.add("--store etcd needs --etcd-endpoints, e.g. http://127.0.0.1:2379");
    }
    if (!problems.isEmpty()) {
      throw new HfiException(ErrorCode.INVALID_CONFIGURATION, String.join("; ", problems));
    }
    return kind == Kind.memory ? new MemoryPolicyStore() : openEtcd();
  }

  private List<String> etcdSettings() {
    List<String> set = new ArrayList<>();
    if (!etcdEndpoints.isEmpty()) {
      set.add("--etcd-endpoints");
    }
    addIfSet(set, "--etcd-prefix", etcdPrefix);
    addIfSet(set, "--etcd-user", etcdUser);
    addIfSet(set, "--etcd-password", etcdPassword);
    addIfSet(set, "--etcd-ca", etcdCa);
    addIfSet(set, "--etcd-cert", etcdCert);
    addIfSet(set, "--etcd-key", etcdKey);
    addIfSet(set, "--etcd-lease-ttl", etcdLeaseTtl);
    addIfSet(set, "--etcd-timeout", etcdTimeout);
    return set;
  }

  private static void addIfSet(List<String> set, String option, Object value) {
    if (value != null) {
      set.add(option);
    }
  }

  private PolicyStore openEtcd() {
    EtcdPolicyStore.Builder b =
        EtcdPolicyStore.builder().withEndpoints(etcdEndpoints.toArray(String[]::new));
    if (etcdPrefix != null) {
      b.withPrefix(etcdPrefix);
    }
    if (etcdUser != null || etcdPassword != null) {
      b.withCredentials(etcdUser, etcdPassword);
    }
    if (etcdCa != null || etcdCert != null || etcdKey != null) {
      b.withTls(etcdCa, etcdCert, etcdKey);
    }
    if (etcdLeaseTtl != null) {
      b.withLeaseTtl(etcdLeaseTtl);
    }
    if (etcdTimeout != null) {
      b.withRequestTimeout(etcdTimeout);
    }
    return b.build();
  }
}
