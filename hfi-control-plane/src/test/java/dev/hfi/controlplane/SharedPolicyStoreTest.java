package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A store that replicas share elects the one that expires policies; any other just runs it. */
@Timeout(30)
class SharedPolicyStoreTest {
  @Test
  void theServerRunsPolicyExpiryThroughTheElectionOfASharedStore() {
    List<String> elections = new CopyOnWriteArrayList<>();
    try (Elected store = new Elected(elections);
        ControlPlaneServer server =
            ControlPlaneServer.builder().withPort(0).withStore(store).build().start()) {
      assertThat(elections)
          .singleElement()
          .asString()
          .startsWith("expirer " + ProcessHandle.current().pid() + "@");
    }
  }

  /** The memory store, shared in name: it records the elections it is asked to run. */
  private static final class Elected extends ForwardingPolicyStore implements SharedPolicyStore {
    private final List<String> elections;

    Elected(List<String> elections) {
      super(new MemoryPolicyStore());
      this.elections = elections;
    }

    @Override
    public AutoCloseable runWhileLeader(
        String duty, String replica, Supplier<? extends AutoCloseable> start) {
      elections.add(duty + " " + replica);
      return start.get();
    }

    @Override
    public Optional<String> leader(String duty) {
      return Optional.empty();
    }
  }
}
