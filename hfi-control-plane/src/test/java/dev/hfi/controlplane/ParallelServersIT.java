package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.TestPolicies;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import spark.CustomErrorPages;
import spark.embeddedserver.EmbeddedServers;

/**
 * Control planes in one JVM share nothing: started at the same instant from several threads, each
 * serves its own routes with its own token and store, and none leaves anything in Spark's static
 * state (its server-factory registry and its error pages, which a user's own Spark application in
 * the same JVM would see).
 */
@Timeout(60)
class ParallelServersIT {
  private static final int SERVERS = 8;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void serversStartedInParallelEachServeTheirOwnAndLeaveNoStaticState() throws Exception {
    int factoriesBefore = sparkServerFactories();
    List<MemoryPolicyStore> stores = new ArrayList<>();
    List<ControlPlaneServer> servers = new ArrayList<>();
    ExecutorService starters = Executors.newFixedThreadPool(SERVERS);
    try {
      CyclicBarrier together = new CyclicBarrier(SERVERS);
      List<Future<ControlPlaneServer>> started = new ArrayList<>();
      for (int i = 0; i < SERVERS; i++) {
        MemoryPolicyStore store = new MemoryPolicyStore();
        store.apply(TestPolicies.abort("only-in-" + i, 503));
        stores.add(store);
        ControlPlaneServer server =
            ControlPlaneServer.builder().withPort(0).withStore(store).withToken(token(i)).build();
        started.add(
            starters.submit(
                () -> {
                  together.await(10, TimeUnit.SECONDS);
                  return server.start();
                }));
      }
      for (Future<ControlPlaneServer> f : started) {
        servers.add(f.get(30, TimeUnit.SECONDS));
      }

      for (int i = 0; i < SERVERS; i++) {
        URI uri = servers.get(i).uri();
        int other = (i + 1) % SERVERS;
        assertThat(get(uri, "/healthz", null).statusCode()).isEqualTo(200);
        HttpResponse<String> own = get(uri, "/v1/policies", token(i));
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(own.body()).contains("only-in-" + i).doesNotContain("only-in-" + other);
        assertThat(get(uri, "/v1/policies", token(other)).statusCode())
            .as("server %d takes only its own token", i)
            .isEqualTo(401);
        HttpResponse<String> unknown = get(uri, "/v1/nowhere", token(i));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type"))
            .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(unknown.body())
            .isEqualTo(
                "{\"error\":{\"code\":\"NotFound\",\"message\":\"no route GET /v1/nowhere\"}}");
      }
    } finally {
      servers.forEach(ControlPlaneServer::close);
      stores.forEach(MemoryPolicyStore::close);
      starters.shutdownNow();
    }

    for (ControlPlaneServer server : servers) {
      assertThatThrownBy(() -> get(server.uri(), "/healthz", null))
          .isInstanceOf(ConnectException.class);
    }
    assertThat(sparkServerFactories()).isEqualTo(factoriesBefore);
    assertThat(CustomErrorPages.existsFor(404)).isFalse();
    assertThat(CustomErrorPages.existsFor(500)).isFalse();
  }

  private static String token(int i) {
    return "token-" + i;
  }

  private HttpResponse<String> get(URI base, String path, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      req.header("Authorization", "Bearer " + token);
    }
    return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * How many server factories Spark's static registry holds. It has no reader, so this one test
   * reads the field.
   */
  private static int sparkServerFactories() throws ReflectiveOperationException {
    Field f = EmbeddedServers.class.getDeclaredField("factories");
    f.setAccessible(true);
    return ((Map<?, ?>) f.get(null)).size();
  }
}
