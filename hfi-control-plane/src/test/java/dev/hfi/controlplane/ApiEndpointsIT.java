package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.ConflictException;
import dev.hfi.client.ControlPlaneUnreachableException;
import dev.hfi.client.DeletedPolicy;
import dev.hfi.client.ErrorCode;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiClient;
import dev.hfi.client.HfiException;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyCodec;
import dev.hfi.client.PolicyNotFoundException;
import dev.hfi.client.RuleSet;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.ServerFixture.Answer;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every route and status code of the design's API table, over real HTTP. */
@Timeout(60)
class ApiEndpointsIT {
  private static final String JSON = "application/json";
  private static final String YAML = "application/yaml";
  private ServerFixture f;

  @BeforeEach
  void start() {
    f = new ServerFixture();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void postCreatesWith201ThenSays200ConfiguredOrUnchanged() {
    Answer created = f.send("POST", "/v1/policies", YAML, TestPolicies.yaml("orders", 503));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.header("X-Hfi-Apply-Result")).isEqualTo("created");
    assertThat(created.header("X-Hfi-Revision")).isEqualTo("2");
    assertThat(created.body()).contains("\"resourceVersion\":\"2\"");

    Answer same = f.send("POST", "/v1/policies", YAML, TestPolicies.yaml("orders", 503));
    assertThat(same.status()).isEqualTo(200);
    assertThat(same.header("X-Hfi-Apply-Result")).isEqualTo("unchanged");
    assertThat(same.header("X-Hfi-Revision")).isEqualTo("2");

    Answer changed = f.send("POST", "/v1/policies", YAML, TestPolicies.yaml("orders", 500));
    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.header("X-Hfi-Apply-Result")).isEqualTo("configured");
    assertThat(changed.header("X-Hfi-Revision")).isEqualTo("3");
  }

  @Test
  void putCreatesAndUpdatesUnderTheUrlName() {
    String json = PolicyCodec.toJson(TestPolicies.abort("orders", 503));
    Answer created = f.send("PUT", "/v1/policies/orders", JSON, json);
    assertThat(created.status()).isEqualTo(201);
    String withoutName = json.replace("\"metadata\":{\"name\":\"orders\"}", "\"metadata\":{}");
    Answer updated = f.send("PUT", "/v1/policies/orders", JSON, withoutName.replace("503", "502"));
    assertThat(updated.status()).isEqualTo(200);
    assertThat(updated.header("X-Hfi-Apply-Result")).isEqualTo("configured");
    Answer mismatch = f.send("PUT", "/v1/policies/other", JSON, json);
    assertThat(mismatch.status()).isEqualTo(400);
    assertThat(mismatch.body()).contains("does not match the name in the URL");
  }

  @Test
  void dryRunAnswersWhatAnApplyWouldDoAndStoresNothing() {
    String yaml = TestPolicies.yaml("orders", 503);
    Answer wouldCreate = f.send("POST", "/v1/policies?dryRun=true", YAML, yaml);
    assertThat(wouldCreate.status()).isEqualTo(201);
    assertThat(wouldCreate.header("X-Hfi-Apply-Result")).isEqualTo("created");
    assertThat(wouldCreate.header("X-Hfi-Dry-Run")).isEqualTo("true");
    assertThat(f.client.list().items()).isEmpty();

    f.client.apply(TestPolicies.abort("orders", 503));
    long revision = f.client.list().revision();
    assertThat(f.client.dryRun(TestPolicies.abort("orders", 503)).outcome())
        .isEqualTo(ApplyResult.Outcome.UNCHANGED);
    assertThat(f.client.dryRun(TestPolicies.abort("orders", 500)).outcome())
        .isEqualTo(ApplyResult.Outcome.CONFIGURED);
    Answer onPut =
        f.send(
            "PUT",
            "/v1/policies/orders?dryRun=true",
            JSON,
            PolicyCodec.toJson(TestPolicies.abort("orders", 502)));
    assertThat(onPut.header("X-Hfi-Apply-Result")).isEqualTo("configured");
    assertThat(f.client.get("orders").spec().fault().abort().httpStatus()).isEqualTo(503);
    assertThat(f.client.list().revision()).isEqualTo(revision);

    assertThatThrownBy(
            () -> f.client.dryRun(TestPolicies.abort("orders", 502).withResourceVersion("1")))
        .isInstanceOf(ConflictException.class);
    Answer invalid = f.send("POST", "/v1/policies?dryRun=true", YAML, yaml.replace("503", "700"));
    assertThat(invalid.status()).isEqualTo(400);
    Answer badFlag = f.send("POST", "/v1/policies?dryRun=maybe", YAML, yaml);
    assertThat(badFlag.status()).isEqualTo(400);
    assertThat(badFlag.body()).contains("query parameter dryRun");
    assertThat(f.client.list().revision()).isEqualTo(revision);
  }

  @Test
  void putWithAStaleResourceVersionIs409() {
    f.client.apply(TestPolicies.abort("orders", 503));
    f.client.apply(TestPolicies.abort("orders", 500));
    String stale = PolicyCodec.toJson(TestPolicies.abort("orders", 502).withResourceVersion("2"));
    Answer a = f.send("PUT", "/v1/policies/orders", JSON, stale);
    assertThat(a.status()).isEqualTo(409);
    assertThat(a.body()).contains("\"code\":\"Conflict\"").contains("resourceVersion is \\\"3\\\"");
    assertThat(f.client.get("orders").spec().fault().abort().httpStatus()).isEqualTo(500);
  }

  @Test
  void twoWritersRacingOnOneResourceVersionGetOne200AndOne409() throws Exception {
    String rv =
        f.client.apply(TestPolicies.abort("orders", 503)).policy().metadata().resourceVersion();
    CyclicBarrier barrier = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Integer>> results =
          List.of(500, 502).stream()
              .map(
                  status ->
                      pool.submit(
                          () -> {
                            String body =
                                PolicyCodec.toJson(
                                    TestPolicies.abort("orders", status).withResourceVersion(rv));
                            barrier.await();
                            return f.send("PUT", "/v1/policies/orders", JSON, body).status();
                          }))
              .toList();
      assertThat(List.of(results.get(0).get(), results.get(1).get()))
          .containsExactlyInAnyOrder(200, 409);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void getAndListAnswer200AndAMissingPolicy404() {
    f.client.apply(TestPolicies.abort("b", 503));
    f.client.apply(TestPolicies.abort("a", 503));
    Answer list = f.get("/v1/policies");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body())
        .startsWith(
            "{\"apiVersion\":\"hfi.dev/v1alpha1\",\"kind\":\"FaultInjectionPolicyList\",\"metadata\":{\"resourceVersion\":\"3\"}");
    assertThat(f.client.list().items())
        .extracting(FaultInjectionPolicy::name)
        .containsExactly("a", "b");
    assertThat(f.get("/v1/policies/a").status()).isEqualTo(200);
    Answer missing = f.get("/v1/policies/nope");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body())
        .isEqualTo(
            "{\"error\":{\"code\":\"NotFound\",\"message\":\"policy \\\"nope\\\" not found\"}}");
  }

  @Test
  void deleteAnswers200WithTheDeletedPolicyThen404() {
    f.client.apply(TestPolicies.abort("orders", 503));
    Answer deleted = f.send("DELETE", "/v1/policies/orders", null, null);
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.header("X-Hfi-Revision")).isEqualTo("3");
    assertThat(deleted.body()).contains("\"name\":\"orders\"");
    assertThat(f.send("DELETE", "/v1/policies/orders", null, null).status()).isEqualTo(404);
  }

  @Test
  void clientRaisesTypedExceptions() {
    assertThatThrownBy(() -> f.client.get("nope")).isInstanceOf(PolicyNotFoundException.class);
    assertThatThrownBy(() -> f.client.delete("nope")).isInstanceOf(PolicyNotFoundException.class);
    assertThatThrownBy(() -> f.client.apply(TestPolicies.abort("x", 99)))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessage("spec.fault.abort.httpStatus: must be in [200, 600), got 99");
    f.client.apply(TestPolicies.abort("x", 503));
    assertThatThrownBy(() -> f.client.put(TestPolicies.abort("x", 500).withResourceVersion("1")))
        .isInstanceOf(ConflictException.class);
    ApplyResult r = f.client.apply(TestPolicies.yaml("y", 503), PolicyCodec.Format.YAML);
    assertThat(r.outcome()).isEqualTo(ApplyResult.Outcome.CREATED);
    assertThat(f.client.apply(TestPolicies.yaml("y", 503), PolicyCodec.Format.YAML).outcome())
        .isEqualTo(ApplyResult.Outcome.UNCHANGED);
    DeletedPolicy d = f.client.delete("y");
    assertThat(d.revision()).isEqualTo(f.store.revision());
  }

  @Test
  void anUnreachableServerIsNamedInTheException() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (HfiClient c =
        HfiClient.builder()
            .withBaseUri(URI.create("http://127.0.0.1:" + port))
            .withTimeout(Duration.ofSeconds(5))
            .build()) {
      assertThatThrownBy(c::list)
          .isInstanceOf(ControlPlaneUnreachableException.class)
          .hasMessageContaining("http://127.0.0.1:" + port);
    }
  }

  @Test
  void healthReadinessAndPrometheusMetrics() {
    assertThat(f.get("/healthz").status()).isEqualTo(200);
    Answer ready = f.get("/readyz");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.body()).contains("\"status\":\"ready\"");
    f.client.apply(TestPolicies.abort("orders", 503));
    Answer metrics = f.get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.header("Content-Type")).startsWith("text/plain; version=0.0.4");
    assertThat(metrics.body())
        .contains("# TYPE hfi_ruleset_version gauge")
        .contains(
            "hfi_http_requests_seconds_count{method=\"POST\",route=\"/v1/policies\",status=\"201\"}");
    assertThat(f.client.isHealthy()).isTrue();
    assertThat(f.client.isReady()).isTrue();
  }

  @Test
  void readinessIs503WhenTheStoreIsGone() {
    f.store.close();
    Answer a = f.get("/readyz");
    assertThat(a.status()).isEqualTo(503);
    assertThat(a.body()).contains("\"code\":\"Unavailable\"");
    assertThat(f.get("/healthz").status()).isEqualTo(200);
    assertThat(f.get("/v1/policies").status()).isEqualTo(503);
  }

  @Test
  void unexpectedFailuresAre500WithoutInternals() {
    try (PolicyStore broken = new BrokenStore();
        ControlPlaneServer s =
            ControlPlaneServer.builder()
                .withPort(0)
                .withStore(broken)
                .withExpirer(false)
                .build()
                .start();
        HfiClient c = HfiClient.builder().withBaseUri(s.uri()).build()) {
      assertThatThrownBy(() -> c.get("x"))
          .isInstanceOfSatisfying(
              HfiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL))
          .hasMessage("internal error; see the server log");
    }
  }

  @Test
  void unknownRoutesAre404Json() {
    Answer a = f.get("/v2/nothing");
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.body()).contains("\"code\":\"NotFound\"").contains("GET /v2/nothing");
  }

  @Test
  void aConfiguredTokenGuardsEveryRouteButHealthAndReadiness() {
    try (ServerFixture secured = new ServerFixture(b -> b.withToken("s3cret"))) {
      for (String path :
          List.of("/v1/policies", "/v1/nodes", "/metrics", "/v1/events", "/v1/config/stream")) {
        Answer a = secured.get(path);
        assertThat(a.status()).as(path).isEqualTo(401);
        assertThat(a.body()).as(path).contains("\"code\":\"Unauthorized\"");
      }
      assertThat(secured.send("GET", "/v1/policies", null, null, "wrong").status()).isEqualTo(401);
      assertThat(secured.send("GET", "/v1/policies", null, null, "s3cret").status()).isEqualTo(200);
      assertThat(secured.get("/healthz").status()).isEqualTo(200);
      assertThat(secured.get("/readyz").status()).isEqualTo(200);
      try (HfiClient c = HfiClient.builder().withBaseUri(secured.uri).withToken("s3cret").build()) {
        assertThat(c.apply(TestPolicies.abort("a", 503)).outcome())
            .isEqualTo(ApplyResult.Outcome.CREATED);
        Optional<RuleSet> rs = c.poll("n", "i", 0, null, null, Duration.ofSeconds(5));
        assertThat(rs).isPresent();
      }
    }
  }

  @Test
  void aPortInUseFailsStartWithTheAddress() {
    int taken = f.server.port();
    try (MemoryPolicyStore other = new MemoryPolicyStore()) {
      assertThatThrownBy(
              () -> ControlPlaneServer.builder().withPort(taken).withStore(other).build().start())
          .isInstanceOf(HfiException.class)
          .hasMessageContaining("cannot listen on 127.0.0.1:" + taken);
    }
  }

  @Test
  void bindsLoopbackByDefault() {
    assertThat(f.uri.getHost()).isEqualTo("127.0.0.1");
  }

  /** A store whose backend throws an unexpected error. */
  private static final class BrokenStore extends ForwardingPolicyStore {
    BrokenStore() {
      super(new MemoryPolicyStore());
    }

    @Override
    public Optional<FaultInjectionPolicy> get(String name) {
      throw new IllegalStateException("backend exploded (secret detail)");
    }
  }
}
