package dev.hfi.filter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one writer of the plugin configuration writes what the filter's reader reads back. */
class PluginConfigTest {
  @Test
  void whatIsWrittenIsReadBackEqual() {
    PluginConfig plain =
        PluginConfig.forNode("hfi_control_plane", "cp:8080", "orders", 30000, null);
    assertThat(plain.toJson())
        .isEqualTo(
            "{\"cluster\":\"hfi_control_plane\",\"authority\":\"cp:8080\",\"node\":\"orders\","
                + "\"pollTimeoutMs\":30000}");
    assertThat(PluginConfig.decode(plain.toJson())).isEqualTo(plain);

    PluginConfig all =
        PluginConfig.forNode("outbound|8080||cp", "[::1]:8080", "a-b", 1500, "t\"o\\k\u0001en")
            .withDeferStart(true)
            .withJournal(true);
    assertThat(PluginConfig.decode(all.toJson())).isEqualTo(all);
    assertThat(PluginConfig.decode(all.toJson()).token()).isEqualTo("t\"o\\k\u0001en");
    assertThat(PluginConfig.decode(all.toJson()).deferStart()).isTrue();
    assertThat(PluginConfig.decode(all.toJson()).journal()).isTrue();
    assertThat(PluginConfig.decode(plain.toJson()).journal()).isFalse();
  }
}
