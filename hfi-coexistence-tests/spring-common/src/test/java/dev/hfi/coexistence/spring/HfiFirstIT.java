package dev.hfi.coexistence.spring;

import dev.hfi.junit.HfiTest;
import dev.hfi.junit.Upstream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * HFI's extension registered before Spring's: {@code @HfiTest} is declared above {@code
 * SpringBootTest}. The declarative form takes a fixed upstream URL, so the inventory stub listens
 * on a fixed port here.
 */
@Timeout(60)
@HfiTest(upstreams = @Upstream(name = "inventory", url = "http://127.0.0.1:" + HfiFirstIT.PORT))
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HfiFirstIT extends StockCases {
  static final int PORT = 29417;
  static final InventoryStub inventory = InventoryStub.start(PORT);
  static final AtomicReference<URI> proxy = new AtomicReference<>();

  @DynamicPropertySource
  static void inventoryThroughHfi(DynamicPropertyRegistry registry) {
    inventoryThrough(registry, proxy);
  }

  @AfterAll
  static void stopInventory() {
    inventory.stop();
  }

  @Override
  InventoryStub inventory() {
    return inventory;
  }

  @Override
  AtomicReference<URI> proxy() {
    return proxy;
  }
}
