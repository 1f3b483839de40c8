package dev.hfi.filter.bench;

import dev.hfi.filter.internal.abi.Memory;
import org.teavm.interop.Export;

/**
 * The benchmark's baseline: a proxy-wasm filter that does nothing, compiled by the same TeaVM build
 * (same runtime, same allocator) as hfi-filter.wasm, so the difference is the filter's own work.
 */
public final class EmptyFilter {
  private EmptyFilter() {}

  public static void main(String[] args) {}

  @Export(name = "_initialize")
  public static void initialize() {}

  @Export(name = "proxy_abi_version_0_2_1")
  public static void abiVersion() {}

  @Export(name = "proxy_on_memory_allocate")
  public static int onMemoryAllocate(int size) {
    return Memory.allocate(size);
  }

  @Export(name = "proxy_on_context_create")
  public static void onContextCreate(int contextId, int parentId) {}

  @Export(name = "proxy_on_vm_start")
  public static int onVmStart(int rootId, int size) {
    return 1;
  }

  @Export(name = "proxy_on_configure")
  public static int onConfigure(int rootId, int size) {
    return 1;
  }

  @Export(name = "proxy_on_request_headers")
  public static int onRequestHeaders(int contextId, int numHeaders, int endOfStream) {
    return 0;
  }

  @Export(name = "proxy_on_done")
  public static int onDone(int contextId) {
    return 1;
  }

  @Export(name = "proxy_on_delete")
  public static void onDelete(int contextId) {}
}
