package dev.hfi.filter.internal.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TeaVmBuildTest {
  private static final byte[] HEADER = {0, 'a', 's', 'm', 1, 0, 0, 0};

  @Test
  void dropsTheMemoryMaximumAndKeepsOtherSections() {
    // memory section: 1 entry, flags=1 (has max), min=3, max=256 (LEB 0x80 0x02)
    byte[] wasm =
        concat(HEADER, new byte[] {1, 1, 0x60}, new byte[] {5, 5, 1, 1, 3, (byte) 0x80, 2});
    byte[] patched = TeaVmBuild.unboundMemory(wasm);
    assertThat(patched)
        .isEqualTo(concat(HEADER, new byte[] {1, 1, 0x60}, new byte[] {5, 3, 1, 0, 3}));
  }

  @Test
  void refusesAModuleWithoutMemory() {
    assertThatThrownBy(() -> TeaVmBuild.unboundMemory(HEADER))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
