package dev.hfi.filter.core;

/**
 * An immutable, decoded rule set: the rules that apply to this node, in the order the control plane
 * sorted them (priority descending, then name). Safe to share; swapped in whole.
 */
public final class RuleSet {
  /** The rule set in force before any has been received: version 0, no rules. */
  public static final RuleSet EMPTY = new RuleSet(0, new Rule[0]);

  private final long version;
  private final Rule[] rules;
  private final boolean expiring;

  RuleSet(long version, Rule[] rules) {
    this.version = version;
    this.rules = rules;
    boolean any = false;
    for (Rule r : rules) {
      any |= r.expiresAtMs != Long.MAX_VALUE;
    }
    this.expiring = any;
  }

  public long version() {
    return version;
  }

  public int size() {
    return rules.length;
  }

  public Rule rule(int i) {
    return rules[i];
  }

  /** Whether some rule has an expiry, so {@link #match} needs the current time. */
  public boolean hasExpiringRules() {
    return expiring;
  }

  /**
   * The first rule whose conditions all hold for {@code req} and that has not expired at {@code
   * nowMs}, or null.
   */
  public Rule match(RequestHeaders req, long nowMs) {
    for (Rule r : rules) {
      if (r.expiresAtMs > nowMs && r.matches(req)) {
        return r;
      }
    }
    return null;
  }
}
