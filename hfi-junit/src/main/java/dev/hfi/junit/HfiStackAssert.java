package dev.hfi.junit;

import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on an {@link HfiStack}: injections, aborts and delays counted by the data
 * planes during the current test. Get one from {@link HfiAssertions#assertThat(HfiStack)}.
 */
public final class HfiStackAssert extends AbstractAssert<HfiStackAssert, HfiStack> {
  HfiStackAssert(HfiStack actual) {
    super(actual, HfiStackAssert.class);
  }

  /**
   * The policy (or, for an upstream name, every policy on that upstream) was injected exactly
   * {@code times} times.
   */
  public HfiStackAssert hasInjected(String policyOrUpstream, long times) {
    isNotNull();
    long seen = actual.injections(policyOrUpstream);
    if (seen != times) {
      failWithMessage(
          "expected \"%s\" to have been injected %d time(s) during this test, but it was %d",
          policyOrUpstream, times, seen);
    }
    return this;
  }

  /** The policy (or any policy on the upstream) was injected at least once. */
  public HfiStackAssert hasInjected(String policyOrUpstream) {
    isNotNull();
    if (actual.injections(policyOrUpstream) == 0) {
      failWithMessage(
          "expected \"%s\" to have been injected during this test, but it never was",
          policyOrUpstream);
    }
    return this;
  }

  /** The policy (or any policy on the upstream) was never injected. */
  public HfiStackAssert hasNotInjected(String policyOrUpstream) {
    return hasInjected(policyOrUpstream, 0);
  }

  /** The proxy of {@code upstream} answered {@code times} requests with an injected abort. */
  public HfiStackAssert hasAborted(String upstream, long times) {
    isNotNull();
    return hasProxied(upstream, "aborted", times, actual.aborts(upstream));
  }

  /** The proxy of {@code upstream} delayed {@code times} requests. */
  public HfiStackAssert hasDelayed(String upstream, long times) {
    isNotNull();
    return hasProxied(upstream, "delayed", times, actual.delays(upstream));
  }

  private HfiStackAssert hasProxied(String upstream, String verb, long times, long seen) {
    if (seen != times) {
      failWithMessage(
          "expected the proxy of \"%s\" to have %s %d request(s) during this test, but it %s %d",
          upstream, verb, times, verb, seen);
    }
    return this;
  }
}
