package dev.hfi.filter.internal.abi;

import dev.hfi.filter.internal.dispatch.Dispatcher;
import org.teavm.interop.Export;

/**
 * The module's exports (proxy-wasm ABI 0.2.1) and TeaVM's entry class. Each export hands over to
 * {@link Dispatcher}, which never lets an exception reach the host.
 */
public final class Exports {
  private Exports() {}

  /** TeaVM needs an entry point; hosts call {@code _initialize}, never {@code _start}. */
  public static void main(String[] args) {}

  /**
   * Called by the host once after instantiation. TeaVM initialises its heap in the module's start
   * function, so there is nothing left to do; exporting it keeps hosts from calling {@code _start},
   * whose fiber-based runtime corrupts the heap on the next GC.
   */
  @Export(name = "_initialize")
  public static void initialize() {}

  @Export(name = "proxy_abi_version_0_2_1")
  public static void abiVersion() {}

  @Export(name = "proxy_on_memory_allocate")
  public static int onMemoryAllocate(int size) {
    return Memory.allocate(size);
  }

  @Export(name = "proxy_on_context_create")
  public static void onContextCreate(int contextId, int parentId) {
    Dispatcher.onContextCreate(contextId, parentId);
  }

  @Export(name = "proxy_on_vm_start")
  public static int onVmStart(int rootId, int vmConfigSize) {
    return 1;
  }

  @Export(name = "proxy_on_configure")
  public static int onConfigure(int rootId, int configSize) {
    return Dispatcher.onConfigure(rootId, configSize) ? 1 : 0;
  }

  @Export(name = "proxy_on_tick")
  public static void onTick(int rootId) {
    Dispatcher.onTick(rootId);
  }

  @Export(name = "proxy_on_http_call_response")
  public static void onHttpCallResponse(
      int rootId, int token, int numHeaders, int bodySize, int numTrailers) {
    Dispatcher.onHttpCallResponse(rootId, token, numHeaders, bodySize);
  }

  @Export(name = "proxy_on_request_headers")
  public static int onRequestHeaders(int contextId, int numHeaders, int endOfStream) {
    return Dispatcher.onRequestHeaders(contextId);
  }

  @Export(name = "proxy_on_response_headers")
  public static int onResponseHeaders(int contextId, int numHeaders, int endOfStream) {
    return Dispatcher.onResponseHeaders(contextId);
  }

  @Export(name = "proxy_on_done")
  public static int onDone(int contextId) {
    return Dispatcher.onDone(contextId) ? 1 : 0;
  }

  @Export(name = "proxy_on_delete")
  public static void onDelete(int contextId) {
    Dispatcher.onDelete(contextId);
  }
}
