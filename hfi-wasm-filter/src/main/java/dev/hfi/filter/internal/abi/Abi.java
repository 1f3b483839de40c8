package dev.hfi.filter.internal.abi;

import org.teavm.interop.Import;

/**
 * Raw proxy-wasm ABI 0.2.1 host functions ({@code env.proxy_*}) that the filter uses, plus WASI's
 * {@code random_get}. Pointers are linear-memory addresses; results are proxy-wasm status codes (0
 * = OK). Only {@code dev.hfi.filter.internal.host} calls these.
 */
public final class Abi {
  private Abi() {}

  @Import(module = "env", name = "proxy_log")
  public static native int proxyLog(int level, int ptr, int size);

  /** Entropy for seeding; Envoy and Chicory's WASI both provide it. */
  @Import(module = "wasi_snapshot_preview1", name = "random_get")
  public static native int wasiRandomGet(int buffer, int length);

  @Import(module = "env", name = "proxy_set_tick_period_milliseconds")
  public static native int proxySetTickPeriodMilliseconds(int period);

  @Import(module = "env", name = "proxy_get_buffer_bytes")
  public static native int proxyGetBufferBytes(
      int bufferType, int start, int maxSize, int returnData, int returnSize);

  @Import(module = "env", name = "proxy_get_header_map_pairs")
  public static native int proxyGetHeaderMapPairs(int mapType, int returnData, int returnSize);

  @Import(module = "env", name = "proxy_get_header_map_value")
  public static native int proxyGetHeaderMapValue(
      int mapType, int keyPtr, int keySize, int returnData, int returnSize);

  @Import(module = "env", name = "proxy_send_local_response")
  public static native int proxySendLocalResponse(
      int status,
      int detailsPtr,
      int detailsSize,
      int bodyPtr,
      int bodySize,
      int headersPtr,
      int headersSize,
      int grpcStatus);

  @Import(module = "env", name = "proxy_http_call")
  public static native int proxyHttpCall(
      int upstreamPtr,
      int upstreamSize,
      int headersPtr,
      int headersSize,
      int bodyPtr,
      int bodySize,
      int trailersPtr,
      int trailersSize,
      int timeoutMs,
      int returnToken);

  @Import(module = "env", name = "proxy_done")
  public static native int proxyDone();

  @Import(module = "env", name = "proxy_set_effective_context")
  public static native int proxySetEffectiveContext(int contextId);

  @Import(module = "env", name = "proxy_continue_stream")
  public static native int proxyContinueStream(int streamType);

  @Import(module = "env", name = "proxy_define_metric")
  public static native int proxyDefineMetric(
      int metricType, int namePtr, int nameSize, int returnId);

  @Import(module = "env", name = "proxy_increment_metric")
  public static native int proxyIncrementMetric(int metricId, long offset);

  @Import(module = "env", name = "proxy_record_metric")
  public static native int proxyRecordMetric(int metricId, long value);

  @Import(module = "env", name = "proxy_get_shared_data")
  public static native int proxyGetSharedData(
      int keyPtr, int keySize, int returnData, int returnSize, int returnCas);

  @Import(module = "env", name = "proxy_set_shared_data")
  public static native int proxySetSharedData(
      int keyPtr, int keySize, int valuePtr, int valueSize, int cas);
}
