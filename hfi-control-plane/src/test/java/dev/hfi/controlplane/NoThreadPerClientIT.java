package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.HfiClient;
import dev.hfi.client.RuleSet;
import dev.hfi.client.TestPolicies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Held long polls and open SSE streams do not hold server threads: with more of them than Jetty has
 * threads (200), the server still answers, and a change reaches every one.
 */
@Tag("slow")
@Timeout(120)
class NoThreadPerClientIT {
  private static final int STREAMS = 150;
  private static final int POLLS = 150;

  @Test
  void moreWaitingClientsThanServerThreads() throws Exception {
    ExecutorService pollers = Executors.newFixedThreadPool(POLLS);
    List<HfiClient.Subscription> subs = new ArrayList<>();
    try (ServerFixture f = new ServerFixture()) {
      long current = f.server.ruleSet().version();
      CountDownLatch polling = new CountDownLatch(POLLS);
      subs.add(
          f.client.subscribeEvents(
              e -> {
                if (e.type().equals("ack")) {
                  polling.countDown();
                }
              }));
      CountDownLatch initial = new CountDownLatch(STREAMS);
      CountDownLatch changed = new CountDownLatch(STREAMS);
      for (int i = 0; i < STREAMS; i++) {
        subs.add(
            f.client.subscribeRuleSets(
                null,
                rs -> {
                  if (rs.version() == current) {
                    initial.countDown();
                  } else {
                    changed.countDown();
                  }
                }));
      }
      assertThat(initial.await(60, TimeUnit.SECONDS)).as("every stream open").isTrue();
      List<Future<Optional<RuleSet>>> polls = new ArrayList<>();
      for (int i = 0; i < POLLS; i++) {
        String instance = "w" + i;
        polls.add(
            pollers.submit(
                () -> f.client.poll("n", instance, current, null, null, Duration.ofSeconds(60))));
      }
      assertThat(polling.await(60, TimeUnit.SECONDS)).as("every poll held").isTrue();

      assertThat(f.get("/healthz").status()).isEqualTo(200);
      long rev = f.client.apply(TestPolicies.abort("a", 503)).revision();
      for (Future<Optional<RuleSet>> p : polls) {
        assertThat(p.get(60, TimeUnit.SECONDS)).get().extracting(RuleSet::version).isEqualTo(rev);
      }
      assertThat(changed.await(60, TimeUnit.SECONDS)).as("every stream got the change").isTrue();
    } finally {
      subs.forEach(HfiClient.Subscription::close);
      pollers.shutdownNow();
    }
  }
}
