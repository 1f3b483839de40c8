package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.hfi.controlplane.ControlPlaneServer;
import dev.hfi.controlplane.HfiClient;
import dev.hfi.controlplane.MemoryPolicyStore;
import dev.hfi.controlplane.PolicyCodec;
import dev.hfi.testkit.internal.HfiClientAcks;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** The rule set in force survives a control-plane outage, and the filter catches up after it. */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedDataPlaneOutageIT {

  @Test
  void lastRulesStayInForceWhileTheControlPlaneIsDownAndTheFilterCatchesUpAfter() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try (MemoryPolicyStore store = new MemoryPolicyStore();
        TestUpstream upstream = new TestUpstream()) {
      ControlPlaneServer first =
          ControlPlaneServer.builder().withPort(0).withStore(store).build().start();
      int port = first.port();
      try (HfiClient hfi = HfiClient.builder().withBaseUri(first.uri()).build();
          EmbeddedDataPlane proxy =
              EmbeddedDataPlane.builder()
                  .withControlPlane(first.uri())
                  .withUpstream("orders", upstream.uri())
                  .withPollTimeout(Duration.ofSeconds(3))
                  .build()
                  .start()) {
        hfi.awaitApplied(apply(hfi, 503), Duration.ofSeconds(20));
        HttpRequest request =
            HttpRequest.newBuilder(proxy.proxyUri("orders").resolve("/api")).build();
        assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
            .isEqualTo(503);

        CountDownLatch pollFailed = new CountDownLatch(1);
        try (LogWatch watch = new LogWatch("dev.hfi.filter", "poll failed", pollFailed)) {
          first.close();
          assertThat(pollFailed.await(30, TimeUnit.SECONDS))
              .as("the filter noticed that the control plane is gone")
              .isTrue();
        }
        for (int i = 0; i < 5; i++) {
          HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
          assertThat(r.statusCode()).isEqualTo(503);
          assertThat(r.headers().firstValue("x-hfi-fault")).hasValue("outage");
        }

        // Changed while the control plane is down: the restarted one serves the new version.
        store.apply(PolicyCodec.parse(policyYaml(502), PolicyCodec.Format.YAML));
        try (ControlPlaneServer second =
                ControlPlaneServer.builder().withPort(port).withStore(store).build().start();
            HfiClient again = HfiClient.builder().withBaseUri(second.uri()).build()) {
          assertThat(
                  new HfiClientAcks(again, 1).awaitAcked(Set.of("orders"), Duration.ofSeconds(30)))
              .as("the filter ACKs the restarted control plane's rule set")
              .isTrue();
          assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
              .isEqualTo(502);
          assertThat(proxy.ruleSetVersion("orders")).isEqualTo(second.ruleSet().version());
        }
      }
    }
  }

  private static long apply(HfiClient hfi, int status) {
    return hfi.apply(policyYaml(status), PolicyCodec.Format.YAML).revision();
  }

  private static String policyYaml(int status) {
    return """
        apiVersion: hfi.dev/v1alpha1
        kind: FaultInjectionPolicy
        metadata: {name: outage}
        spec:
          match: {path: {prefix: /api}}
          fault: {abort: {httpStatus: %d}}
        """
        .formatted(status);
  }

  /** Counts down {@code latch} when a log line of {@code logger} contains {@code text}. */
  private static final class LogWatch extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger;
    private final String text;
    private final CountDownLatch latch;

    LogWatch(String logger, String text, CountDownLatch latch) {
      this.logger = (Logger) LoggerFactory.getLogger(logger);
      this.text = text;
      this.latch = latch;
      setContext(this.logger.getLoggerContext());
      start();
      this.logger.addAppender(this);
    }

    @Override
    protected void append(ILoggingEvent event) {
      if (event.getFormattedMessage().contains(text)) {
        latch.countDown();
      }
    }

    @Override
    public void close() {
      logger.detachAppender(this);
      stop();
    }
  }
}
