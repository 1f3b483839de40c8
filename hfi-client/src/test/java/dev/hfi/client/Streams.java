package dev.hfi.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Test support: a client stream whose items land in a queue, already open when returned. */
public final class Streams {
  private Streams() {}

  /** An open subscription and the queue its items arrive in. */
  public record Collected<T>(HfiClient.Subscription subscription, BlockingQueue<T> items)
      implements AutoCloseable {
    @Override
    public void close() {
      subscription.close();
    }
  }

  /** {@code GET /v1/config/stream}, resuming after {@code lastEventId} when not null. */
  public static Collected<RuleSet> ruleSets(HfiClient client, Long lastEventId)
      throws InterruptedException {
    return open(listener -> client.subscribeRuleSets(lastEventId, listener));
  }

  /** {@code GET /v1/events}. */
  public static Collected<ControlPlaneEvent> events(HfiClient client) throws InterruptedException {
    return open(client::subscribeEvents);
  }

  private static <T> Collected<T> open(
      Function<HfiClient.StreamListener<T>, HfiClient.Subscription> subscribe)
      throws InterruptedException {
    BlockingQueue<T> q = new LinkedBlockingQueue<>();
    CountDownLatch open = new CountDownLatch(1);
    HfiClient.Subscription s =
        subscribe.apply(
            new HfiClient.StreamListener<>() {
              @Override
              public void onOpen() {
                open.countDown();
              }

              @Override
              public void onEvent(T item) {
                q.add(item);
              }
            });
    assertThat(open.await(10, TimeUnit.SECONDS)).as("the stream opened within 10s").isTrue();
    return new Collected<>(s, q);
  }
}
