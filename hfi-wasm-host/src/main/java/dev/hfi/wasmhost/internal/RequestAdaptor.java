package dev.hfi.wasmhost.internal;

import dev.hfi.wasmhost.RequestHead;
import io.roastedroot.proxywasm.internal.ArrayProxyMap;
import io.roastedroot.proxywasm.internal.HttpRequestAdaptor;
import io.roastedroot.proxywasm.internal.PluginHttpContext;
import io.roastedroot.proxywasm.internal.ProxyMap;
import io.roastedroot.proxywasm.internal.WasmResult;
import java.util.List;
import java.util.Map;

/** One request's side of the host: its headers as proxy-wasm map pairs, pseudo headers first. */
public final class RequestAdaptor implements HttpRequestAdaptor {
  private final RequestHead head;
  private ProxyMap headers;
  private ProxyMap responseHeaders = new ArrayProxyMap();

  public RequestAdaptor(RequestHead head) {
    this.head = head;
  }

  @Override
  public String remoteAddress() {
    return head.remoteAddress();
  }

  @Override
  public int remotePort() {
    return head.remotePort();
  }

  @Override
  public String localAddress() {
    return "127.0.0.1";
  }

  @Override
  public int localPort() {
    return head.localPort();
  }

  @Override
  public String protocol() {
    return "HTTP/1.1";
  }

  @Override
  public ProxyMap getHttpRequestHeaders() {
    if (headers == null) {
      ArrayProxyMap map = new ArrayProxyMap(head.headers().size() + 4);
      map.add(":method", head.method());
      map.add(":path", head.path());
      map.add(":authority", head.authority());
      map.add(":scheme", head.scheme());
      for (Map.Entry<String, String> h : head.headers()) {
        map.add(h.getKey(), h.getValue());
      }
      headers = map;
    }
    return headers;
  }

  @Override
  public ProxyMap getHttpRequestTrailers() {
    return new ArrayProxyMap();
  }

  /** The response headers the filter reads next: {@code :status} first, then {@code headers}. */
  public void responseHeaders(int status, List<Map.Entry<String, String>> headers) {
    ArrayProxyMap map = new ArrayProxyMap(headers.size() + 1);
    map.add(":status", Integer.toString(status));
    for (Map.Entry<String, String> h : headers) {
      map.add(h.getKey(), h.getValue());
    }
    responseHeaders = map;
  }

  @Override
  public ProxyMap getHttpResponseHeaders() {
    return responseHeaders;
  }

  @Override
  public ProxyMap getHttpResponseTrailers() {
    return new ArrayProxyMap();
  }

  @Override
  public ProxyMap getGrpcReceiveInitialMetaData() {
    return new ArrayProxyMap();
  }

  @Override
  public ProxyMap getGrpcReceiveTrailerMetaData() {
    return new ArrayProxyMap();
  }

  @Override
  public byte[] getProperty(PluginHttpContext request, List<String> path) {
    return null;
  }

  @Override
  public WasmResult setProperty(PluginHttpContext request, List<String> path, byte[] value) {
    return WasmResult.NOT_FOUND;
  }
}
