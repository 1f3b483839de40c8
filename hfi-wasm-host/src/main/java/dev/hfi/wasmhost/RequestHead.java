package dev.hfi.wasmhost;

import java.util.List;
import java.util.Map;

/**
 * A request's first line and headers, as the filter sees them: {@code :method}, {@code :path},
 * {@code :authority} and {@code :scheme} come first, then {@code headers} (lower-case names, in
 * order, a name once per value), as Envoy presents them to a filter.
 *
 * @param path the path with its query string
 * @param authority HTTP/1.1's {@code Host}, HTTP/2's {@code :authority}
 */
public record RequestHead(
    String method,
    String path,
    String authority,
    String scheme,
    List<Map.Entry<String, String>> headers,
    String remoteAddress,
    int remotePort,
    int localPort) {

  /** A {@code GET /} from nowhere, with no headers: what starts a filter's polling. */
  static RequestHead empty() {
    return new RequestHead("GET", "/", "", "http", List.of(), "127.0.0.1", 0, 0);
  }
}
