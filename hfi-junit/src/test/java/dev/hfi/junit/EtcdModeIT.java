package dev.hfi.junit;

import static dev.hfi.junit.EchoUpstream.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;

/** store = ETCD: the run's control plane keeps policies in a real etcd started for it. */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EtcdModeIT {
  static final EchoUpstream echo = new EchoUpstream();

  @AfterAll
  static void stop() {
    echo.close();
  }

  @Test
  void faultsWorkWithTheEtcdStore() {
    Fixtures.run(OnEtcd.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
  }

  @Test
  void aClassAskingForAnotherModeThanTheRunningStackFails() {
    Fixtures.run(OnEtcd.class, OnMemory.class)
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(OnMemory.class),
                finishedWithFailure(
                    instanceOf(ExtensionConfigurationException.class),
                    message(
                        m ->
                            m.contains(
                                    "OnMemory: asks for stack = IN_PROCESS, dataPlane = EMBEDDED, store = MEMORY")
                                && m.contains(
                                    "already runs stack = IN_PROCESS, dataPlane = EMBEDDED, store = ETCD")))));
  }

  @Fixture
  static class OnEtcd {
    @RegisterExtension static HfiExtension hfi = echoOn(StoreMode.ETCD);

    @Test
    @InjectFault(upstream = "echo", abort = @Abort(httpStatus = 503))
    void test(HfiStack stack) {
      assertThat(get(stack.proxyUri("echo"), "/x").statusCode()).isEqualTo(503);
    }
  }

  @Fixture
  static class OnMemory {
    @RegisterExtension static HfiExtension hfi = echoOn(StoreMode.MEMORY);

    @Test
    void test() {}
  }

  /** An extension proxying "echo" with policies kept in {@code store}. */
  static HfiExtension echoOn(StoreMode store) {
    return HfiExtension.newInstance().withUpstream("echo", echo::uri).withStore(store).build();
  }
}
