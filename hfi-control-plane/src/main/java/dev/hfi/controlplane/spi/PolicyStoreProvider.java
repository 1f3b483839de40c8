package dev.hfi.controlplane.spi;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import dev.hfi.controlplane.PolicyStore;
import dev.hfi.controlplane.StoreSelection;

/**
 * A policy store kept in a module of its own, so that its client library reaches only the
 * classpaths that use it: {@link StoreSelection} finds providers with {@link
 * java.util.ServiceLoader} when a store of their {@link #kind()} is selected. {@code
 * dev.hfi:hfi-store-etcd} provides {@link StoreSelection.Kind#etcd} (and with it jetcd, gRPC and
 * Netty); the memory store is built in.
 *
 * <p>An implementation is listed in {@code
 * META-INF/services/dev.hfi.controlplane.spi.PolicyStoreProvider} and has a public no-argument
 * constructor.
 */
public interface PolicyStoreProvider {

  /** The store this provider opens. */
  StoreSelection.Kind kind();

  /**
   * Opens a store with the selection's settings ({@link StoreSelection} has checked that they go
   * with this kind).
   *
   * @throws HfiException with {@link ErrorCode#INVALID_CONFIGURATION} naming every bad setting
   */
  PolicyStore open(StoreSelection selection);
}
