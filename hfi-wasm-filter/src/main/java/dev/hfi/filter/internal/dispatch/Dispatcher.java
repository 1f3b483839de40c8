package dev.hfi.filter.internal.dispatch;

import dev.hfi.filter.internal.abi.Memory;
import dev.hfi.filter.internal.context.FilterErrors;
import dev.hfi.filter.internal.context.FilterRoot;
import dev.hfi.filter.internal.context.FilterStream;

/**
 * Routes proxy-wasm callbacks to root and HTTP contexts by context id, and is the panic boundary:
 * every callback catches everything, logs it, counts it and answers so that the request continues
 * (fail open). Single-threaded, like the VM.
 */
public final class Dispatcher {
  private static final IntMap<FilterRoot> roots = new IntMap<>();

  /** HTTP context id -> its root context. */
  private static final IntMap<FilterRoot> streams = new IntMap<>();

  private Dispatcher() {}

  public static void onContextCreate(int id, int parent) {
    Memory.reset();
    try {
      if (parent == 0) {
        roots.put(id, new FilterRoot(id));
      } else {
        FilterRoot root = roots.get(parent);
        if (root != null) {
          streams.put(id, root);
          root.onStreamCreated();
        }
      }
    } catch (Throwable t) {
      FilterErrors.report("proxy_on_context_create", t);
    }
  }

  public static boolean onConfigure(int rootId, int size) {
    Memory.reset();
    try {
      FilterRoot root = roots.get(rootId);
      return root != null && root.onConfigure(size);
    } catch (Throwable t) {
      FilterErrors.report("proxy_on_configure", t);
      return false;
    }
  }

  public static void onTick(int rootId) {
    Memory.reset();
    try {
      FilterRoot root = roots.get(rootId);
      if (root != null) {
        root.onTick();
      }
    } catch (Throwable t) {
      FilterErrors.report("proxy_on_tick", t);
    }
  }

  public static void onHttpCallResponse(int rootId, int token, int numHeaders, int bodySize) {
    Memory.reset();
    try {
      FilterRoot root = roots.get(rootId);
      if (root != null) {
        root.onHttpCallResponse(token, numHeaders, bodySize);
      }
    } catch (Throwable t) {
      FilterErrors.report("proxy_on_http_call_response", t);
    }
  }

  public static int onRequestHeaders(int id) {
    Memory.reset();
    try {
      FilterRoot root = streams.get(id);
      return root == null ? FilterStream.CONTINUE : FilterStream.onRequestHeaders(id, root);
    } catch (Throwable t) {
      FilterErrors.report("proxy_on_request_headers", t);
      return FilterStream.CONTINUE;
    }
  }

  public static int onResponseHeaders(int id) {
    Memory.reset();
    try {
      FilterRoot root = streams.get(id);
      return root == null ? FilterStream.CONTINUE : FilterStream.onResponseHeaders(id, root);
    } catch (Throwable t) {
      FilterErrors.report("proxy_on_response_headers", t);
      return FilterStream.CONTINUE;
    }
  }

  /**
   * A stream ended, or a root context is to stop (the VM shuts down). Returns false while a root
   * context still says goodbye: it calls {@code proxy_done} when that is over.
   */
  public static boolean onDone(int id) {
    try {
      FilterRoot root = streams.get(id);
      if (root != null) {
        FilterStream.onDone(id, root);
        return true;
      }
      root = roots.get(id);
      return root == null || root.onDone();
    } catch (Throwable t) {
      FilterErrors.report("proxy_on_done", t);
      return true;
    }
  }

  public static void onDelete(int id) {
    try {
      FilterRoot root = streams.remove(id);
      if (root != null) {
        FilterStream.onDone(id, root);
      } else {
        roots.remove(id);
      }
    } catch (Throwable t) {
      FilterErrors.report("proxy_on_delete", t);
    }
  }
}
