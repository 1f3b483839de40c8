package dev.hfi.wasmhost;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.hfi.wasmhost.WasmHostException.Code;
import java.net.URI;
import org.junit.jupiter.api.Test;

class FilterVmBuilderTest {

  @Test
  void buildNamesEveryMissingSettingAtOnce() {
    assertThatExceptionOfType(WasmHostException.class)
        .isThrownBy(() -> FilterVm.builder().withPluginConfig(null).build())
        .matches(e -> e.code() == Code.INVALID_CONFIGURATION, "code INVALID_CONFIGURATION")
        .withMessageContaining("withModule(...) is required")
        .withMessageContaining("withScheduler(...) is required")
        .withMessageContaining("withPluginConfig(null)");
  }

  @Test
  void anUpstreamNeedsAnAbsoluteUriWithAHost() {
    assertThatExceptionOfType(WasmHostException.class)
        .isThrownBy(
            () -> FilterVm.builder().withUpstream("cp", URI.create("localhost:8080")).build())
        .matches(e -> e.code() == Code.INVALID_CONFIGURATION, "code INVALID_CONFIGURATION")
        .withMessageContaining("withUpstream(cp, localhost:8080)")
        .withMessageContaining("absolute URI with a host");
  }
}
