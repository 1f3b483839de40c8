package dev.hfi.coexistence.spring;

import dev.hfi.junit.Abort;
import dev.hfi.junit.Delay;
import dev.hfi.junit.HfiExtension;
import dev.hfi.junit.HfiStack;
import dev.hfi.junit.InjectFault;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Spring's extension (from {@code @SpringBootTest}) registered before HFI's. */
@Timeout(60)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SpringFirstIT {
  static final InventoryStub inventory = InventoryStub.start(0);
  static final AtomicReference<URI> proxy = new AtomicReference<>();

  @RegisterExtension
  static HfiExtension hfi =
      HfiExtension.newInstance().withUpstream("inventory", inventory::uri).build();

  @Autowired Environment environment;

  @DynamicPropertySource
  static void inventoryThroughHfi(DynamicPropertyRegistry registry) {
    StockChecks.inventoryThrough(registry, proxy);
  }

  @BeforeEach
  void pointAtProxy(HfiStack stack) {
    proxy.set(stack.proxyUri("inventory"));
  }

  @AfterAll
  static void stopInventory() {
    inventory.stop();
  }

  @Test
  void passesThroughWithoutAFault() throws Exception {
    StockChecks.passesThrough(environment, inventory);
  }

  @Test
  @InjectFault(upstream = "inventory", path = "/api/stock", abort = @Abort(httpStatus = 503))
  void applicationSeesTheAbort(HfiStack stack) throws Exception {
    StockChecks.seesTheAbort(environment, inventory, stack);
  }

  @Test
  @InjectFault(upstream = "inventory", path = "/api/stock", delay = @Delay(fixedDelay = "400ms"))
  void applicationSeesTheDelay(HfiStack stack) throws Exception {
    StockChecks.seesTheDelay(environment, inventory, stack);
  }
}
