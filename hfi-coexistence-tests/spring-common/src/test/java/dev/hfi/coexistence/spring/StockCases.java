package dev.hfi.coexistence.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.junit.Abort;
import dev.hfi.junit.Delay;
import dev.hfi.junit.HfiStack;
import dev.hfi.junit.InjectFault;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What both orders of declaration check, the subclasses differing only in how the extensions are
 * declared: the application (on its random port) calls the inventory through HFI's proxy, which
 * passes through or injects the test's fault.
 */
abstract class StockCases {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Autowired Environment environment;

  /** The subclass's inventory stub. */
  abstract InventoryStub inventory();

  /** Where the subclass's {@code @DynamicPropertySource} points the application. */
  abstract AtomicReference<URI> proxy();

  @BeforeEach
  void pointAtProxy(HfiStack stack) {
    proxy().set(stack.proxyUri("inventory"));
  }

  @Test
  void passesThroughWithoutAFault() throws Exception {
    passesThrough(environment, inventory());
  }

  @Test
  @InjectFault(upstream = "inventory", path = "/api/stock", abort = @Abort(httpStatus = 503))
  void applicationSeesTheAbort(HfiStack stack) throws Exception {
    seesTheAbort(environment, inventory(), stack);
  }

  @Test
  @InjectFault(upstream = "inventory", path = "/api/stock", delay = @Delay(fixedDelay = "400ms"))
  void applicationSeesTheDelay(HfiStack stack) throws Exception {
    seesTheDelay(environment, inventory(), stack);
  }

  /**
   * Points the application's {@code inventory.url} at {@code proxy}, read when the application
   * calls, since HFI's proxy starts with the first test, after Spring's context.
   */
  static void inventoryThrough(DynamicPropertyRegistry registry, AtomicReference<URI> proxy) {
    registry.add("inventory.url", () -> String.valueOf(proxy.get()));
  }

  private static HttpResponse<String> callApp(Environment environment) throws Exception {
    URI app =
        URI.create(
            "http://127.0.0.1:"
                + environment.getRequiredProperty("local.server.port")
                + "/stock/42");
    return HTTP.send(
        HttpRequest.newBuilder(app).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void passesThrough(Environment environment, InventoryStub inventory)
      throws Exception {
    int before = inventory.requests();
    HttpResponse<String> r = callApp(environment);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"sku\":\"42\",\"count\":3}");
    assertThat(inventory.requests()).isEqualTo(before + 1);
  }

  private static void seesTheAbort(Environment environment, InventoryStub inventory, HfiStack stack)
      throws Exception {
    int before = inventory.requests();
    HttpResponse<String> r = callApp(environment);
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).isEqualTo("inventory answered 503");
    assertThat(inventory.requests()).isEqualTo(before);
    assertThat(stack.aborts("inventory")).isEqualTo(1);
  }

  private static void seesTheDelay(Environment environment, InventoryStub inventory, HfiStack stack)
      throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> r = callApp(environment);
    assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(400);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(stack.delays("inventory")).isEqualTo(1);
  }
}
