package dev.hfi.store.etcd.internal;

import dev.hfi.controlplane.PolicyStore;
import dev.hfi.controlplane.StoreSelection;
import dev.hfi.controlplane.spi.PolicyStoreProvider;
import dev.hfi.store.etcd.EtcdPolicyStore;

/**
 * How {@link StoreSelection} opens the etcd store ({@code --store etcd}, the JUnit extension's
 * {@code store = ETCD}): registered in {@code META-INF/services}, so that the control plane finds
 * it when this module is on the classpath.
 */
public final class EtcdStoreProvider implements PolicyStoreProvider {
  /** Called by {@link java.util.ServiceLoader}. */
  public EtcdStoreProvider() {}

  @Override
  public StoreSelection.Kind kind() {
    return StoreSelection.Kind.etcd;
  }

  @Override
  public PolicyStore open(StoreSelection s) {
    EtcdPolicyStore.Builder b =
        EtcdPolicyStore.builder().withEndpoints(s.etcdEndpoints().toArray(String[]::new));
    if (s.etcdPrefix() != null) {
      b.withPrefix(s.etcdPrefix());
    }
    if (s.etcdUser() != null || s.etcdPassword() != null) {
      b.withCredentials(s.etcdUser(), s.etcdPassword());
    }
    if (s.etcdCa() != null || s.etcdCert() != null || s.etcdKey() != null) {
      b.withTls(s.etcdCa(), s.etcdCert(), s.etcdKey());
    }
    if (s.etcdLeaseTtl() != null) {
      b.withLeaseTtl(s.etcdLeaseTtl());
    }
    if (s.etcdTimeout() != null) {
      b.withRequestTimeout(s.etcdTimeout());
    }
    return b.build();
  }
}
