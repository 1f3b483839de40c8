package dev.hfi.wasmhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SharedDataTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void envoyWritesAMissingKeyWhateverTheCas() {
    SharedData data = SharedData.envoy();
    assertThat(data.get("k")).isNull();
    assertThat(data.set("k", bytes("a"), 0xffffffff)).isTrue();
    assertThat(data.get("k").value()).isEqualTo(bytes("a"));
  }

  @Test
  void envoyOverwritesAnExistingKeyOnlyWithItsCasOrZero() {
    SharedData data = SharedData.envoy();
    data.set("k", bytes("a"), 0);
    int cas = data.get("k").cas();
    assertThat(data.set("k", bytes("b"), cas + 1)).isFalse();
    assertThat(data.get("k").value()).isEqualTo(bytes("a"));
    assertThat(data.set("k", bytes("b"), cas)).isTrue();
    assertThat(data.set("k", bytes("c"), cas)).as("the CAS changed with the write").isFalse();
    assertThat(data.set("k", bytes("c"), 0)).isTrue();
    assertThat(data.get("k").value()).isEqualTo(bytes("c"));
  }

  @Test
  void envoyHasOneCasSequenceForAllKeys() {
    SharedData data = SharedData.envoy();
    data.set("a", bytes("1"), 0);
    data.set("b", bytes("1"), 0);
    assertThat(data.get("b").cas()).isGreaterThan(data.get("a").cas());
    assertThat(data.set("b", bytes("2"), data.get("a").cas())).isFalse();
  }
}
