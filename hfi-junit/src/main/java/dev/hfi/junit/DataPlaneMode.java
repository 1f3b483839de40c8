package dev.hfi.junit;

/**
 * Which data plane runs {@code hfi-filter.wasm} for a test run. Chosen per {@link HfiTest} or
 * builder, else by the system property {@code hfi.dataPlane} ({@code embedded} or {@code envoy}).
 */
public enum DataPlaneMode {
  /** Use the system property {@code hfi.dataPlane}, or {@link #EMBEDDED} when it is not set. */
  DEFAULT,
  /** The in-JVM proxy of {@code hfi-testkit-envoy} running the filter on Chicory. */
  EMBEDDED,
  /**
   * A real Envoy running the same filter: the local binary named by {@code hfi.envoy.binary},
   * {@code HFI_ENVOY_BINARY} or found as {@code envoy} on the PATH ({@code EnvoyProcess}); without
   * one, an {@code EnvoyContainer} when Docker is available.
   */
  ENVOY
}
