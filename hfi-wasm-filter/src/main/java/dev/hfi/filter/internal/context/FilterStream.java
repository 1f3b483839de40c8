package dev.hfi.filter.internal.context;

import dev.hfi.filter.internal.core.Bytes;
import dev.hfi.filter.internal.core.JournalEntry;
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

  private static final byte[] BARRIER = Bytes.utf8(JournalEntry.BARRIER_HEADER);
  private static final byte[] NO_BODY = new byte[0];
  private static final byte[] NO_HEADERS = RequestHeaders.encode();

  private FilterStream() {}

  public static int onRequestHeaders(int id, FilterRoot root) {
    RuleSet rules = root.ruleSet();
    if (root.journal() != null) {
      return journaled(id, root, rules);
    }
    if (rules.size() == 0) {
      return CONTINUE;
    }
    HEADERS.resetLazy(Host.requestPath(HEADERS), LOAD_ALL);
    return inject(id, root, rules, null);
  }

  /**
   * With the journal on: every request gets an entry, written when it is answered (a local reply,
   * its response headers) or ends unanswered; a barrier request is answered here.
   */
  private static int journaled(int id, FilterRoot root, RuleSet rules) {
    HEADERS.resetLazy(Host.requestPath(HEADERS), LOAD_ALL);
    if (HEADERS.indexOf(BARRIER, 0) >= 0) {
      Host.log(Host.LOG_INFO, JournalEntry.BARRIER_PREFIX + Host.requestHeader(BARRIER));
      Host.sendLocalResponse(204, NO_BODY, NO_HEADERS, -1);
      return PAUSE;
    }
    JournalEntry entry = JournalEntry.of(root.node(), Host.nowMillis(), HEADERS);
    root.journal().put(id, entry);
    return rules.size() == 0 ? CONTINUE : inject(id, root, rules, entry);
  }

  private static int inject(int id, FilterRoot root, RuleSet rules, JournalEntry entry) {
    long now = rules.hasExpiringRules() ? Host.nowMillis() : Long.MIN_VALUE;
    Rule rule = rules.match(HEADERS, now);
    if (rule == null || !root.sampler().sample(rule.perMillion()) || !root.claimInjection(rule)) {
      return CONTINUE;
    }
    Metrics.injection(rule.policy());
    if (entry != null) {
      entry.faulted(rule.policy(), rule.delayMs(), rule.abort() != null);
    }
    if (rule.delayMs() > 0) {
      root.delay(id, rule);
      return PAUSE;
    }
    root.abort(id, rule);
    return PAUSE;
  }

  /** The response headers (the upstream's, or a local reply): the request's journal entry. */
  public static int onResponseHeaders(int id, FilterRoot root) {
    if (root.journal() != null) {
      root.writeJournal(id, Host.responseStatus());
    }
    return CONTINUE;
  }

  /**
   * The stream ended (possibly while delayed): nothing to resume any more; a journal entry not
   * written yet (no response: the client or the upstream went away) is written with status 0.
   */
  public static void onDone(int id, FilterRoot root) {
    root.forget(id);
    root.writeJournal(id, 0);
  }
}
