package dev.hfi.wasmhost;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sends a filter's http calls ({@code proxy_http_call}): the embedded data plane over its HTTP
 * client, a test by answering them itself. Implementations must be thread-safe.
 *
 * <pre>{@code
 * HttpCalls unreachable = (call, answer) -> {
 *   answer.accept(HttpCalls.Answer.failed());
 *   return () -> {};
 * };
 * }</pre>
 */
@FunctionalInterface
public interface HttpCalls {

  /**
   * One call as the filter made it, its cluster resolved to {@code host} and {@code port}.
   *
   * @param uri scheme, the filter's {@code :authority}, path and query
   * @param headers the filter's headers, without pseudo headers
   */
  record Call(
      String method,
      String host,
      int port,
      URI uri,
      List<Map.Entry<String, String>> headers,
      byte[] body,
      Duration timeout) {}

  /**
   * The answer to a call. A call that failed without a response (refused, reset, timed out) has
   * status 0 and no headers: what Envoy hands a filter then.
   */
  record Answer(int status, List<Map.Entry<String, String>> headers, byte[] body) {

    /** The call failed without a response. */
    public static Answer failed() {
      return new Answer(0, List.of(), new byte[0]);
    }
  }

  /**
   * Starts {@code call}. Its answer goes to {@code answer} once, from any thread and at any time,
   * even before this method returns (the VM hands it to the filter later, from its callback
   * executor); an answer to a cancelled call is dropped.
   *
   * @return what cancels the call: the filter cancelled it, or the VM is closing
   */
  Runnable send(Call call, Consumer<Answer> answer);
}
