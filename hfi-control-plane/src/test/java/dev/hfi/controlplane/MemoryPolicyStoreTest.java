package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import dev.hfi.client.StoreUnavailableException;
import dev.hfi.client.TestPolicies;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class MemoryPolicyStoreTest extends AbstractPolicyStoreContractTest {
  @Override
  protected PolicyStore newStore() {
    return new MemoryPolicyStore();
  }

  @Test
  void watchingFromBeforeTheKeptHistoryIsCompacted() {
    try (PolicyStore small = new MemoryPolicyStore(Clock.systemUTC(), 2)) {
      for (int i = 0; i < 5; i++) {
        small.apply(TestPolicies.abort("p" + i, 503));
      }
      assertThatThrownBy(() -> small.watch(1, e -> {}))
          .isInstanceOfSatisfying(
              HfiException.class,
              e ->
                  org.assertj.core.api.Assertions.assertThat(e.code())
                      .isEqualTo(ErrorCode.COMPACTED));
    }
  }

  @Test
  void aClosedStoreIsUnavailable() {
    PolicyStore s = new MemoryPolicyStore();
    s.close();
    assertThatThrownBy(s::revision).isInstanceOf(StoreUnavailableException.class);
  }
}
