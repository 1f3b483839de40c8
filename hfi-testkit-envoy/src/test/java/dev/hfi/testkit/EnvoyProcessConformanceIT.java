package dev.hfi.testkit;

/**
 * The data-plane conformance suite on real Envoy ({@link EnvoyProcess}, the binary {@link
 * EnvoyBinary} finds) with two workers, so that every case also runs across two filter VMs.
 */
class EnvoyProcessConformanceIT extends DataPlaneConformance {

  @Override
  protected DataPlane.Builder<?> dataPlane() {
    return EnvoyProcess.builder().withConcurrency(2);
  }

  @Override
  protected int instancesPerNode() {
    return 2;
  }
}
