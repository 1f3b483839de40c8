package dev.hfi.coexistence.wiremock;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.hfi.junit.Abort;
import dev.hfi.junit.Delay;
import dev.hfi.junit.HfiStack;
import dev.hfi.junit.InjectFault;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What both orders of registration check, the subclasses differing only in the order: WireMock's
 * stub behind HFI's proxy passes through, is not reached on an abort, and answers after a delay.
 */
abstract class WireMockCases {

  /** The subclass's WireMock extension. */
  abstract WireMockExtension wm();

  @BeforeEach
  void stub() {
    WireMockFaults.stub(wm());
  }

  @Test
  void passesThroughWithoutAFault(HfiStack stack) throws Exception {
    WireMockFaults.passesThrough(wm(), stack);
  }

  @Test
  @InjectFault(upstream = "orders", path = "/api/orders", abort = @Abort(httpStatus = 503))
  void abortsBeforeWireMock(HfiStack stack) throws Exception {
    WireMockFaults.aborted(wm(), stack);
  }

  @Test
  @InjectFault(upstream = "orders", path = "/api/orders", delay = @Delay(fixedDelay = "400ms"))
  void delaysThenReachesWireMock(HfiStack stack) throws Exception {
    WireMockFaults.delayed(wm(), stack);
  }
}
