package dev.hfi.filter.context;

import dev.hfi.filter.core.RequestHeaders;
import dev.hfi.filter.core.Rule;
import dev.hfi.filter.core.RuleSet;
import dev.hfi.filter.host.Host;

/**
 * The HTTP context of one request: matches the request headers against the rule set in force and
 * injects the fault of the first matching rule. Single-threaded, like the VM.
 */
public final class FilterStream {
  public static final int CONTINUE = 0;
  public static final int PAUSE = 1;

  /** Reused for every request of this VM: reading headers allocates nothing in steady state. */
  private static final RequestHeaders HEADERS = new RequestHeaders();

  private final int id;
  private final FilterRoot root;

  public FilterStream(int id, FilterRoot root) {
    this.id = id;
    this.root = root;
  }

  public int onRequestHeaders() {
    RuleSet rules = root.ruleSet();
    if (rules.size() == 0) {
      return CONTINUE;
    }
    Host.requestHeaders(HEADERS);
    long now = rules.hasExpiringRules() ? Host.nowMillis() : Long.MIN_VALUE;
    Rule rule = rules.match(HEADERS, now);
    if (rule == null || !root.sampler().sample(rule.perMillion()) || !root.claimInjection(rule)) {
      return CONTINUE;
    }
    Metrics.injection(rule.policy());
    if (rule.delayMs() > 0) {
      root.delay(id, rule);
      return PAUSE;
    }
    FilterRoot.abort(rule);
    return PAUSE;
  }

  /** The stream ended (possibly while delayed): nothing to resume any more. */
  public void onDone() {
    root.forget(id);
  }
}
