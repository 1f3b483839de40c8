package dev.hfi.testkit.internal;

import dev.hfi.controlplane.HfiClient;
import dev.hfi.controlplane.HfiException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
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

  private Goodbye() {}

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
