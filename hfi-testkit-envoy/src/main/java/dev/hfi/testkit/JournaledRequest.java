package dev.hfi.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One request that reached a data plane's filter, as the filter journaled it (docs/FILTER.md,
 * "Request journal"): what the client sent, the fault HFI injected into it (if any) and how it was
 * answered. The same on every data plane, because the filter itself writes it.
 *
 * @param upstream the upstream whose listener took the request
 * @param at when the filter saw the request headers
 * @param method the request's method
 * @param path the request's path with its query string
 * @param headers the request headers in order (lower-case names, {@code :authority} and {@code
 *     :scheme} included, {@code :method} and {@code :path} not), at most 32, each value cut to 256
 *     characters
 * @param headersTruncated whether headers were left out or cut
 * @param policy the policy whose fault was injected, or null when none was
 * @param delay the injected delay ({@link Duration#ZERO} for none)
 * @param aborted whether an injected abort answered the request
 * @param status the status the client got: the injected abort's, the upstream's, or the proxy's own
 *     (e.g. 503 when the upstream cannot be reached); 0 when no answer was sent (the client or the
 *     upstream went away)
 * @param duration from the request headers to the response headers (delays included), in whole
 *     milliseconds
 */
public record JournaledRequest(
    String upstream,
    Instant at,
    String method,
    String path,
    List<Map.Entry<String, String>> headers,
    boolean headersTruncated,
    String policy,
    Duration delay,
    boolean aborted,
    int status,
    Duration duration) {

  public JournaledRequest {
    headers = List.copyOf(headers);
  }

  /** Whether HFI injected a fault into this request (an abort, a delay or both). */
  public boolean faulted() {
    return policy != null;
  }

  /** The first value of request header {@code name} (case-insensitive), if it was sent. */
  public Optional<String> header(String name) {
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return Optional.of(h.getValue());
      }
    }
    return Optional.empty();
  }

  /** The path without its query string. */
  public String pathWithoutQuery() {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }
}
