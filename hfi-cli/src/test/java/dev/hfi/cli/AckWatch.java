package dev.hfi.cli;

import dev.hfi.client.ControlPlaneEvent;
import dev.hfi.client.HfiClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Waits, on the control plane's event stream, for the first ACK that a predicate accepts: {@link
 * #awaitOpen} before doing what makes the data plane report, {@link #awaitAck} after.
 */
final class AckWatch implements AutoCloseable {
  private final CompletableFuture<Void> open = new CompletableFuture<>();
  private final CompletableFuture<Void> acked = new CompletableFuture<>();
  private final HfiClient.Subscription events;

  AckWatch(HfiClient client, Predicate<ControlPlaneEvent> ack) {
    events =
        client.subscribeEvents(
            new HfiClient.StreamListener<>() {
              @Override
              public void onOpen() {
                open.complete(null);
              }

              @Override
              public void onEvent(ControlPlaneEvent e) {
                if ("ack".equals(e.type()) && ack.test(e)) {
                  acked.complete(null);
                }
              }
            });
  }

  void awaitOpen(Duration timeout) throws Exception {
    open.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  void awaitAck(Duration timeout) throws Exception {
    acked.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    events.close();
  }
}
