package dev.hfi.coexistence.spring;

import dev.hfi.junit.HfiExtension;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Spring's extension (from {@code @SpringBootTest}) registered before HFI's. */
@Timeout(60)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SpringFirstIT extends StockCases {
  static final InventoryStub inventory = InventoryStub.start(0);
  static final AtomicReference<URI> proxy = new AtomicReference<>();

  @RegisterExtension
  static HfiExtension hfi =
      HfiExtension.newInstance().withUpstream("inventory", inventory::uri).build();

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
