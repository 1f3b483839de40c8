package dev.hfi.controlplane;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import dev.hfi.controlplane.spi.PolicyStoreProvider;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Which policy store a control plane runs on, and its settings: the one place that turns them into
 * a {@link PolicyStore}, for {@code hfi control-plane} (and the images, through its {@code HFI_*}
 * variables) and for the JUnit extension. Settings carry the names of the CLI options ({@code
 * --etcd-endpoints} ...), and problems are reported with those names.
 *
 * <p>The memory store is built in. The etcd store is in {@code dev.hfi:hfi-store-etcd} (with jetcd,
 * gRPC and Netty), found at run time through {@link PolicyStoreProvider}: without that module on
 * the classpath, selecting etcd fails at once and names it ({@link Kind#available()}).
 *
 * <p>An unset etcd setting is {@code null} and takes the etcd store's default; any etcd setting
 * with the memory store is a mistake and is reported, not ignored.
 *
 * @param kind memory or etcd
 * @param etcdEndpoints etcd client URLs ({@code --etcd-endpoints}); required for etcd
 * @param etcdPrefix key prefix ({@code --etcd-prefix}); null for the default, {@code /hfi/}
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
    /** In memory: policies are lost when the control plane stops. Built in. */
    memory(null),
    /** etcd: policies survive restarts and replicas share them. In {@code hfi-store-etcd}. */
    etcd("dev.hfi:hfi-store-etcd");

    private final String module;

    Kind(String module) {
      this.module = module;
    }

    /**
     * The artifact ({@code groupId:artifactId}) that provides this store, or null when {@code
     * hfi-control-plane} has it built in.
     */
    public String module() {
      return module;
    }

    /** Whether this store can be opened here: built in, or its module is on the classpath. */
    public boolean available() {
      return module == null || provider(this).isPresent();
    }
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
    if (kind != null && !kind.available()) {
      problems.add(0, missingModule(kind));
    }
    if (!problems.isEmpty()) {
      throw new HfiException(ErrorCode.INVALID_CONFIGURATION, String.join("; ", problems));
    }
    return kind == Kind.memory ? new MemoryPolicyStore() : provider(kind).orElseThrow().open(this);
  }

  /** What to add for a store whose module is not on the classpath. */
  private static String missingModule(Kind kind) {
    return "--store "
        + kind
        + ": the "
        + kind
        + " store is in "
        + kind.module()
        + ", which is not on the classpath; add "
        + kind.module()
        + " (same version as hfi-control-plane) to the dependencies";
  }

  private static Optional<PolicyStoreProvider> provider(Kind kind) {
    for (PolicyStoreProvider p :
        ServiceLoader.load(PolicyStoreProvider.class, StoreSelection.class.getClassLoader())) {
      if (p.kind() == kind) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
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
}
