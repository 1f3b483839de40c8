package dev.hfi.junit;

/**
 * Where the shared stack runs. Chosen per {@link HfiTest} or builder, else by the system property
 * {@code hfi.stack} ({@code in_process} or {@code containers}).
 */
public enum StackMode {
  /** Use the system property {@code hfi.stack}, or {@link #IN_PROCESS} when it is not set. */
  DEFAULT,
  /**
   * The control plane in the test JVM; the data plane and store as {@link DataPlaneMode} and {@link
   * StoreMode} say.
   */
  IN_PROCESS,
  /**
   * Everything in containers on one Docker network: etcd, the control plane on it ({@code
   * hfi-control-plane}) and one Envoy with the filter ({@code hfi-envoy}) per upstream; images from
   * {@code hfi.image.etcd}, {@code hfi.image.controlPlane}, {@code hfi.image.envoy} (or {@code
   * HFI_IMAGE_*}), else the published ones. Upstreams on this machine's loopback are reached
   * through a forwarder; containers on the same network by their alias. Implies {@link
   * DataPlaneMode#ENVOY} and {@link StoreMode#ETCD}.
   */
  CONTAINERS
}
