package dev.hfi.wasmhost;

import dev.hfi.wasmhost.internal.EnvoySharedData;

/**
 * Proxy-wide shared data, what a filter reads and writes with {@code proxy_get_shared_data} and
 * {@code proxy_set_shared_data}. Every VM of one proxy shares one (the HFI filter counts {@code
 * maxInjections} in it), so implementations must be thread-safe.
 *
 * <pre>{@code
 * SharedData proxyWide = SharedData.envoy();
 * FilterVm worker1 = FilterVm.builder()....withSharedData(proxyWide).build();
 * FilterVm worker2 = FilterVm.builder()....withSharedData(proxyWide).build();
 * }</pre>
 */
public interface SharedData {

  /** A value and the CAS token a conditional write of its key must present. */
  record Entry(byte[] value, int cas) {}

  /** The entry under {@code key}, or null when there is none. */
  Entry get(String key);

  /**
   * Writes {@code value} under {@code key} with a new CAS token, unless {@code cas} forbids it.
   *
   * @return false when it was refused (the filter sees {@code CasMismatch})
   */
  boolean set(String key, byte[] value, int cas);

  /**
   * Shared data as Envoy keeps it (proxy-wasm-cpp-host {@code shared_data.cc}): one CAS sequence
   * for the whole proxy; a missing key is written whatever the CAS, an existing one only when the
   * CAS matches or is 0. (proxy-wasm-java-host's own handler refuses a non-zero CAS on a missing
   * key, which would leave the HFI filter's race-free first {@code maxInjections} claim no way to
   * create its counter.)
   */
  static SharedData envoy() {
    return new EnvoySharedData();
  }
}
