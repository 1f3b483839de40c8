package dev.hfi.controlplane;

import dev.hfi.client.HfiClient;
import dev.hfi.client.HfiException;
import dev.hfi.client.RuleSet;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongPredicate;

/**
 * Drives the long-poll protocol over real HTTP the way a filter VM does: poll, apply (or reject)
 * what comes back, poll again reporting it. {@code accept} decides which versions it applies.
 */
final class PollingInstance implements AutoCloseable {
  private final HfiClient client;
  private final String node;
  private final String instance;
  private final LongPredicate accept;
  private final Thread thread;
  private volatile boolean stopped;

  PollingInstance(HfiClient client, String node, String instance, LongPredicate accept) {
    this.client = client;
    this.node = node;
    this.instance = instance;
    this.accept = accept;
    this.thread = new Thread(this::run, "polling-" + node + "-" + instance);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void run() {
    long applied = 0;
    Long rejected = null;
    while (!stopped) {
      try {
        Optional<RuleSet> rs =
            client.poll(
                node,
                instance,
                applied,
                rejected,
                rejected == null ? null : "rule set " + rejected + " refused",
                Duration.ofMillis(500));
        if (rs.isPresent()) {
          if (accept.test(rs.get().version())) {
            applied = rs.get().version();
            rejected = null;
          } else {
            rejected = rs.get().version();
          }
        }
      } catch (HfiException e) {
        if (!stopped) {
          throw e;
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    thread.join(5_000);
  }
}
