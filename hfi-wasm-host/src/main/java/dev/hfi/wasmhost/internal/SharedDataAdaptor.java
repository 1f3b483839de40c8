package dev.hfi.wasmhost.internal;

import dev.hfi.wasmhost.SharedData;
import io.roastedroot.proxywasm.SharedDataHandler;
import io.roastedroot.proxywasm.internal.WasmResult;

/** The host's shared-data calls, into a {@link SharedData}. */
public final class SharedDataAdaptor implements SharedDataHandler {
  private final SharedData data;

  public SharedDataAdaptor(SharedData data) {
    this.data = data;
  }

  @Override
  public io.roastedroot.proxywasm.SharedData getSharedData(String key) {
    SharedData.Entry e = data.get(key);
    return e == null ? null : new io.roastedroot.proxywasm.SharedData(e.value(), e.cas());
  }

  @Override
  public WasmResult setSharedData(String key, byte[] value, int cas) {
    return data.set(key, value, cas) ? WasmResult.OK : WasmResult.CAS_MISMATCH;
  }
}
