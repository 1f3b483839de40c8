package dev.hfi.coexistence.wiremock;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.hfi.junit.HfiExtension;
import java.net.URI;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HfiExtension registered before WireMockExtension. */
@Timeout(60)
class HfiFirstIT extends WireMockCases {
  @RegisterExtension
  @Order(1)
  static HfiExtension hfi =
      HfiExtension.newInstance()
          .withUpstream("orders", () -> URI.create(HfiFirstIT.wm.baseUrl()))
          .build();

  @RegisterExtension
  @Order(2)
  static WireMockExtension wm =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @Override
  WireMockExtension wm() {
    return wm;
  }
}
