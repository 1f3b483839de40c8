package dev.hfi.filter.internal.host;

import dev.hfi.filter.internal.abi.Abi;
import dev.hfi.filter.internal.abi.Memory;
import dev.hfi.filter.internal.core.Bytes;
import dev.hfi.filter.internal.core.RequestHeaders;

/**
 * Safe host calls: Java types in, Java types out, status codes checked, host-written memory copied
 * into Java arrays and released at once. The only user of {@link Abi}. Single-threaded, like the
 * VM.
 */
public final class Host {
  public static final int OK = 0;
  public static final int NOT_FOUND = 1;
  public static final int CAS_MISMATCH = 8;

  public static final int LOG_INFO = 2;
  public static final int LOG_WARN = 3;
  public static final int LOG_ERROR = 4;

  private static final int MAP_REQUEST_HEADERS = 0;
  private static final int MAP_RESPONSE_HEADERS = 2;
  private static final int MAP_HTTP_CALL_RESPONSE_HEADERS = 6;
  private static final int BUFFER_HTTP_CALL_RESPONSE_BODY = 4;
  private static final int BUFFER_PLUGIN_CONFIGURATION = 7;
  private static final int STREAM_REQUEST = 0;
  private static final byte[] STATUS = Bytes.utf8(":status");
  private static final byte[] FAULT_DETAILS = Bytes.utf8("hfi_fault");

  private Host() {}

  public static void log(int level, String message) {
    byte[] b = Bytes.utf8(message);
    Abi.proxyLog(level, Memory.addressOf(b), b.length);
  }

  /**
   * Wall-clock time in epoch milliseconds, from WASI's {@code clock_time_get} (through TeaVM's
   * {@code System.currentTimeMillis}). Not {@code proxy_get_current_time_nanoseconds}:
   * proxy-wasm-java-host 0.0.5 writes only 32 bits of it, a value that wraps every 4.3 s.
   */
  public static long nowMillis() {
    return System.currentTimeMillis();
  }

  /** 64 random bits from the host (WASI {@code random_get}), mixed with the clock. */
  public static long randomSeed() {
    int at = Memory.scratch(0);
    long seed = Abi.wasiRandomGet(at, 8) == 0 ? Memory.getLong(at) : 0;
    return seed ^ System.currentTimeMillis();
  }

  /** Sets the root context's tick period; 0 stops ticking. Returns the host's status. */
  public static int setTickPeriod(int ms) {
    return Abi.proxySetTickPeriodMilliseconds(ms);
  }

  public static String pluginConfiguration(int size) {
    return bufferString(BUFFER_PLUGIN_CONFIGURATION, size);
  }

  public static String httpCallResponseBody(int size) {
    return bufferString(BUFFER_HTTP_CALL_RESPONSE_BODY, size);
  }

  /**
   * The first {@code max} bytes of the http call response body (fewer if it is shorter), decoded;
   * "" when there is none.
   */
  public static String httpCallResponseBodyPrefix(int max) {
    return bufferString(BUFFER_HTTP_CALL_RESPONSE_BODY, max);
  }

  private static String bufferString(int type, int size) {
    if (size <= 0) {
      return "";
    }
    byte[] b = read(READ_BUFFER, type, null, size);
    return b == null ? "" : Bytes.string(b, 0, b.length);
  }

  /** {@code :status} of the http call response, or 0 when there is none (the call failed). */
  public static int httpCallResponseStatus() {
    return status(MAP_HTTP_CALL_RESPONSE_HEADERS);
  }

  /** {@code :status} of the current stream's response headers, or 0 when there is none. */
  public static int responseStatus() {
    return status(MAP_RESPONSE_HEADERS);
  }

  private static int status(int map) {
    byte[] b = read(READ_HEADER_VALUE, map, STATUS, 0);
    if (b == null) {
      return 0;
    }
    int v = 0;
    for (byte x : b) {
      if (x < '0' || x > '9') {
        return 0;
      }
      v = v * 10 + (x - '0');
    }
    return v;
  }

  private static final byte[] PATH = Bytes.utf8(":path");

  /**
   * Reads the request's {@code :path} into {@code into}'s path buffer; returns its length, or -1 if
   * the request has none.
   */
  public static int requestPath(RequestHeaders into) {
    while (true) {
      if (call(READ_HEADER_VALUE, MAP_REQUEST_HEADERS, PATH, 0) != OK) {
        Memory.reset();
        return -1;
      }
      int size = Memory.getInt(Memory.scratch(1));
      int mark = Memory.heapMark();
      if (size >= Heap.BLOCK && into.pathBuffer(0).length < size) {
        Heap.reserve(2L * size);
      }
      byte[] buf = into.pathBuffer(size);
      if (Memory.heapMark() == mark) {
        Memory.copyOut(Memory.getInt(Memory.scratch(0)), buf, size);
        Memory.reset();
        return size;
      }
      // Growing the buffer grew TeaVM's heap over the arena: read again into the buffer now there.
      Memory.reset();
    }
  }

  /** Reads the request headers into {@code into} (reused across requests). */
  public static void requestHeaders(RequestHeaders into) {
    while (true) {
      if (call(READ_HEADER_PAIRS, MAP_REQUEST_HEADERS, null, 0) != OK) {
        into.reset(0);
        Memory.reset();
        return;
      }
      int size = Memory.getInt(Memory.scratch(1));
      int mark = Memory.heapMark();
      if (size >= Heap.BLOCK && into.buffer(0).length < size) {
        Heap.reserve(2L * size);
      }
      byte[] buf = into.buffer(size);
      if (Memory.heapMark() == mark) {
        Memory.copyOut(Memory.getInt(Memory.scratch(0)), buf, size);
        Memory.reset();
        into.reset(size);
        return;
      }
      // As in requestPath: read again into the buffer that now exists.
      Memory.reset();
    }
  }

  /** The first value of request header {@code name}, or null. */
  public static String requestHeader(byte[] name) {
    byte[] b = read(READ_HEADER_VALUE, MAP_REQUEST_HEADERS, name, 0);
    return b == null ? null : Bytes.string(b, 0, b.length);
  }

  /** Answers the current stream locally (an abort); {@code grpcStatus} -1 for plain HTTP. */
  public static int sendLocalResponse(int status, byte[] body, byte[] headerMap, int grpcStatus) {
    return Abi.proxySendLocalResponse(
        status,
        Memory.addressOf(FAULT_DETAILS),
        FAULT_DETAILS.length,
        Memory.addressOf(body),
        body.length,
        Memory.addressOf(headerMap),
        headerMap.length,
        grpcStatus);
  }

  /**
   * Starts an http call to {@code cluster}; returns its token, or a negative host status on
   * failure.
   */
  public static int httpCall(String cluster, byte[] headerMap, int timeoutMs) {
    byte[] upstream = Bytes.utf8(cluster);
    int status =
        Abi.proxyHttpCall(
            Memory.addressOf(upstream),
            upstream.length,
            Memory.addressOf(headerMap),
            headerMap.length,
            0,
            0,
            0,
            0,
            timeoutMs,
            Memory.scratch(0));
    if (status != OK) {
      return -Math.max(status, 1);
    }
    return Memory.getInt(Memory.scratch(0));
  }

  /** Tells the host that the current root context, which deferred its {@code on_done}, is done. */
  public static int done() {
    return Abi.proxyDone();
  }

  public static int setEffectiveContext(int contextId) {
    return Abi.proxySetEffectiveContext(contextId);
  }

  public static int continueRequest() {
    return Abi.proxyContinueStream(STREAM_REQUEST);
  }

  /** Defines a metric (0 counter, 1 gauge); returns its id, or -1 if the host refused. */
  public static int defineMetric(int type, String name) {
    byte[] b = Bytes.utf8(name);
    if (Abi.proxyDefineMetric(type, Memory.addressOf(b), b.length, Memory.scratch(0)) != OK) {
      return -1;
    }
    return Memory.getInt(Memory.scratch(0));
  }

  public static void incrementMetric(int id, long delta) {
    if (id >= 0) {
      Abi.proxyIncrementMetric(id, delta);
    }
  }

  public static void recordMetric(int id, long value) {
    if (id >= 0) {
      Abi.proxyRecordMetric(id, value);
    }
  }

  /** A shared-data value and its CAS token (value null and cas 0 when absent). */
  public static final class Shared {
    public byte[] value;
    public int cas;
  }

  /** Reads shared data {@code key} into {@code out}; returns the host status. */
  public static int getSharedData(byte[] key, Shared out) {
    out.value = null;
    out.cas = 0;
    byte[] v = null;
    while (true) {
      int status = call(READ_SHARED_DATA, 0, key, 0);
      if (status != OK) {
        Memory.reset();
        return status;
      }
      int size = Memory.getInt(Memory.scratch(1));
      int mark = Memory.heapMark();
      if (v == null || v.length != size) {
        v = new byte[size];
      }
      if (Memory.heapMark() == mark) {
        Memory.copyOut(Memory.getInt(Memory.scratch(0)), v, size);
        out.value = v;
        out.cas = Memory.getInt(Memory.scratch(2));
        Memory.reset();
        return OK;
      }
      Memory.reset();
    }
  }

  /** Writes shared data if its CAS token still is {@code cas}; returns the host status. */
  public static int setSharedData(byte[] key, byte[] value, int cas) {
    return Abi.proxySetSharedData(
        Memory.addressOf(key), key.length, Memory.addressOf(value), value.length, cas);
  }

  private static final int READ_BUFFER = 0;
  private static final int READ_HEADER_VALUE = 1;
  private static final int READ_HEADER_PAIRS = 2;
  private static final int READ_SHARED_DATA = 3;

  /**
   * One host read; on {@code OK} the block's address and size are in scratch words 0 and 1 (and a
   * shared-data CAS in word 2). Every read has no side effect, so it can be repeated.
   */
  private static int call(int read, int type, byte[] key, int max) {
    switch (read) {
      case READ_BUFFER:
        return Abi.proxyGetBufferBytes(type, 0, max, Memory.scratch(0), Memory.scratch(1));
      case READ_HEADER_VALUE:
        return Abi.proxyGetHeaderMapValue(
            type, Memory.addressOf(key), key.length, Memory.scratch(0), Memory.scratch(1));
      case READ_HEADER_PAIRS:
        return Abi.proxyGetHeaderMapPairs(type, Memory.scratch(0), Memory.scratch(1));
      default:
        return Abi.proxyGetSharedData(
            Memory.addressOf(key),
            key.length,
            Memory.scratch(0),
            Memory.scratch(1),
            Memory.scratch(2));
    }
  }

  /**
   * The block a host read returns, copied into a new array; null if the host did not answer OK.
   * Allocating the array may grow TeaVM's heap over the arena (see {@link Memory}): then the read
   * is repeated, and the array, which now exists, is filled with nothing allocated in between.
   */
  private static byte[] read(int read, int type, byte[] key, int max) {
    byte[] b = null;
    while (true) {
      if (call(read, type, key, max) != OK) {
        Memory.reset();
        return null;
      }
      int size = Memory.getInt(Memory.scratch(1));
      int mark = Memory.heapMark();
      if (b == null || b.length != size) {
        Heap.reserve(size);
        b = new byte[size];
      }
      if (Memory.heapMark() == mark) {
        Memory.copyOut(Memory.getInt(Memory.scratch(0)), b, size);
        Memory.reset();
        return b;
      }
      Memory.reset();
    }
  }
}
