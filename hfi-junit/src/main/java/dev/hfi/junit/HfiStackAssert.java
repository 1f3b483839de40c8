package dev.hfi.junit;

import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on an {@link HfiStack}: injections (per upstream, per policy), aborts and
 * delays counted by the data planes during the current test. Get one from {@link
 * HfiAssertions#assertThat(HfiStack)}.
 */
public final class HfiStackAssert extends AbstractAssert<HfiStackAssert, HfiStack> {
  HfiStackAssert(HfiStack actual) {
    super(actual, HfiStackAssert.class);
  }

  /** The proxy of {@code upstream} injected exactly {@code times} faults, by every policy. */
  public HfiStackAssert hasInjectionsOnUpstream(String upstream, long times) {
    isNotNull();
    long seen = actual.injectionsOnUpstream(upstream);
    if (seen != times) {
      failWithMessage(
          "expected the proxy of \"%s\" to have injected %d fault(s) during this test, but it"
              + " injected %d",
          upstream, times, seen);
    }
    return this;
  }

  /** The policy named {@code policy} was injected exactly {@code times} times, on any upstream. */
  public HfiStackAssert hasInjectionsByPolicy(String policy, long times) {
    isNotNull();
    long seen = actual.injectionsByPolicy(policy);
    if (seen != times) {
      failWithMessage(
          "expected policy \"%s\" to have been injected %d time(s) during this test, but it was"
              + " %d (this test's policies: %s)",
          policy, times, seen, actual.currentPolicies());
    }
    return this;
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
