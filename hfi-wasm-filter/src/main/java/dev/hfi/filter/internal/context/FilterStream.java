package dev.hfi.filter.internal.context;

import dev.hfi.filter.internal.core.RequestHeaders;
import dev.hfi.filter.internal.core.Rule;
import dev.hfi.filter.internal.core.RuleSet;
import dev.hfi.filter.internal.host.Host;

/**
 * The HTTP context callbacks: match the request headers against the rule set of the request's root
 * context and inject the fault of the first matching rule. Stateless per request (the dispatcher
 * maps a context id to its root), so a request allocates nothing. Single-threaded, like the VM.
 */
public final class FilterStream {
  public static final int CONTINUE = 0;
  public static final int PAUSE = 1;

  /** Reused for every request of this VM: reading headers allocates nothing in steady state. */
  private static final RequestHeaders HEADERS = new RequestHeaders();

  private static final RequestHeaders.Loader LOAD_ALL = Host::requestHeaders;

  private FilterStream() {}

  public static int onRequestHeaders(int id, FilterRoot root) {
    RuleSet rules = root.ruleSet();
    if (rules.size() == 0) {
      return CONTINUE;
    }
    HEADERS.resetLazy(Host.requestPath(HEADERS), LOAD_ALL);
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
  public static void onDone(int id, FilterRoot root) {
    root.forget(id);
  }
}
