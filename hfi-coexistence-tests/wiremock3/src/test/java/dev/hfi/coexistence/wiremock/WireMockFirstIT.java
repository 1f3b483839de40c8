package dev.hfi.coexistence.wiremock;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.hfi.junit.HfiExtension;
import java.net.URI;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** WireMockExtension registered before HfiExtension. */
@Timeout(60)
class WireMockFirstIT extends WireMockCases {
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

  @Override
  WireMockExtension wm() {
    return wm;
  }
}
