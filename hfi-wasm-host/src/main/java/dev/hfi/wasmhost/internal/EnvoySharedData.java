package dev.hfi.wasmhost.internal;

import dev.hfi.wasmhost.SharedData;
import java.util.HashMap;
import java.util.Map;

/** {@link SharedData#envoy()}: Envoy's semantics, one lock. */
public final class EnvoySharedData implements SharedData {
  private final Map<String, Entry> data = new HashMap<>();
  private int nextCas = 1;

  @Override
  public synchronized Entry get(String key) {
    return data.get(key);
  }

  @Override
  public synchronized boolean set(String key, byte[] value, int cas) {
    Entry old = data.get(key);
    if (old != null && cas != 0 && cas != old.cas()) {
      return false;
    }
    data.put(key, new Entry(value, nextCas++));
    return true;
  }
}
