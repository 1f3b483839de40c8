package dev.hfi.junit;

/**
 * Where the in-process control plane keeps policies. Chosen per {@link HfiTest} or builder, else by
 * the system property {@code hfi.store} ({@code memory} or {@code etcd}).
 */
public enum StoreMode {
  /** Use the system property {@code hfi.store}, or {@link #MEMORY} when it is not set. */
  DEFAULT,
  /** An in-memory store, gone at the end of the run. */
  MEMORY,
  /**
   * An etcd cluster given by the system property {@code hfi.etcd.endpoints} (comma-separated URLs),
   * else a local etcd started for the run; the run uses a key prefix of its own. Needs {@code
   * dev.hfi:hfi-store-etcd} (same version) among the test dependencies: without it, the test class
   * fails at once, naming it.
   */
  ETCD
}
