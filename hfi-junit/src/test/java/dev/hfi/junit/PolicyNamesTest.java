package dev.hfi.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.Names;
import dev.hfi.junit.internal.FaultAnnotations;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The names the extension derives from tests pass the one DNS-1123 check the server applies. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PolicyNamesTest {

  @ParameterizedTest
  @CsvSource({
    "OrdersClientTest, retriesThroughTwoFailures(HfiStack), 1",
    "_Weird$Class, -, 2",
    "Ünïcode, 名前, 3",
    "ALongTestClassNameThatGoesOnAndOnBeyondAnyReasonableLength, andAnEquallyLongMethodName(), 4",
  })
  void derivedNamesAreDns1123Labels(String testClass, String method, String n) {
    String name = FaultAnnotations.policyName(testClass, method, n);
    assertThat(Names.checkDns1123Label("derived name", name)).isNull();
  }
}
