package dev.hfi.coexistence.wiremock;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.hfi.junit.Abort;
import dev.hfi.junit.Delay;
import dev.hfi.junit.HfiExtension;
import dev.hfi.junit.HfiStack;
import dev.hfi.junit.InjectFault;
import java.net.URI;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** WireMockExtension registered before HfiExtension. */
@Timeout(60)
class WireMockFirstIT {
  @RegisterExtension
  @Order(2)
  static HfiExtension hfi =
      HfiExtension.newInstance()
          .withUpstream("orders", () -> URI.create(WireMockFirstIT.wm.baseUrl()))
          .build();

  @RegisterExtension
  @Order(1)
  static WireMockExtension wm =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @BeforeEach
  void stub() {
    WireMockFaults.stub(wm);
  }

  @Test
  void passesThroughWithoutAFault(HfiStack stack) throws Exception {
    WireMockFaults.passesThrough(wm, stack);
  }

  @Test
  @InjectFault(upstream = "orders", path = "/api/orders", abort = @Abort(httpStatus = 503))
  void abortsBeforeWireMock(HfiStack stack) throws Exception {
    WireMockFaults.aborted(wm, stack);
  }

  @Test
  @InjectFault(upstream = "orders", path = "/api/orders", delay = @Delay(fixedDelay = "400ms"))
  void delaysThenReachesWireMock(HfiStack stack) throws Exception {
    WireMockFaults.delayed(wm, stack);
  }
}
