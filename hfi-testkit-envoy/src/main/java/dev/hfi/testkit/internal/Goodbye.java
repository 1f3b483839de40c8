package dev.hfi.testkit.internal;

import dev.hfi.client.HfiClient;
import dev.hfi.client.HfiException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data plane that closes removes exactly the filter instances it owned from the control plane's
 * {@code /v1/nodes} ({@link HfiClient#removeInstance}), so waits for ACKs never count it again. The
 * control plane being unreachable is no error: the instances then expire there.
 */
public final class Goodbye {
  private static final Logger LOG = LoggerFactory.getLogger(Goodbye.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** The filter's log line for each root context it configures (FilterRoot.onConfigure). */
  private static final Pattern CONFIGURED =
      Pattern.compile("hfi: filter instance (\\S+) of node (\\S+) configured");

  private Goodbye() {}

  /**
   * Instance id -> node of every filter root context an Envoy log shows configured for one of
   * {@code nodes} (at log level info or finer; none otherwise).
   */
  public static Map<String, String> instancesIn(String envoyLog, Set<String> nodes) {
    Map<String, String> owned = new LinkedHashMap<>();
    Matcher m = CONFIGURED.matcher(envoyLog);
    while (m.find()) {
      if (nodes.contains(m.group(2))) {
        owned.put(m.group(1), m.group(2));
      }
    }
    return owned;
  }

  /** Removes {@code owned} (instance id -> node) from the control plane at {@code controlPlane}. */
  public static void say(URI controlPlane, String token, Map<String, String> owned) {
    if (owned.isEmpty()) {
      return;
    }
    try (HfiClient client =
        HfiClient.builder()
            .withBaseUri(controlPlane)
            .withToken(token)
            .withTimeout(TIMEOUT)
            .build()) {
      owned.forEach((instance, node) -> client.removeInstance(node, instance));
    } catch (HfiException e) {
      LOG.info(
          "could not remove the filter instances {} from the control plane ({}); they expire there",
          owned.keySet(),
          e.getMessage());
    }
  }
}
