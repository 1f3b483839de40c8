package dev.hfi.filter.internal.core;

import java.util.Arrays;

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
  private final PathIndex index = new PathIndex();

  /** Rules the index cannot place (no path condition, or a regex): always candidates. */
  private final int[] unindexed;

  RuleSet(long version, Rule[] rules) {
    this.version = version;
    this.rules = rules;
    boolean any = false;
    int[] rest = new int[rules.length];
    int n = 0;
    for (int i = 0; i < rules.length; i++) {
      Rule r = rules[i];
      any |= r.expiresAtMs != Long.MAX_VALUE;
      byte[] literal = r.path == null ? null : r.path.literal();
      if (literal == null) {
        rest[n++] = i;
      } else {
        index.add(literal, r.path.isExact(), i);
      }
    }
    this.unindexed = Arrays.copyOf(rest, n);
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
   * The first rule (in rule-set order) whose conditions all hold for {@code req} and that has not
   * expired at {@code nowMs}, or null. Path conditions are looked up in a trie, so the cost grows
   * with the path's length and the number of candidate rules, not with the size of the rule set.
   */
  public Rule match(RequestHeaders req, long nowMs) {
    int best = firstMatch(unindexed, Integer.MAX_VALUE, req, nowMs, false);
    if (req.hasPath()) {
      byte[] b = req.pathBytes();
      int off = req.pathOffset();
      int len = req.pathLength();
      PathIndex.Node n = index.root();
      for (int i = 0; ; i++) {
        if (n.prefixRules.length > 0) {
          best = firstMatch(n.prefixRules, best, req, nowMs, true);
        }
        if (i == len) {
          if (n.exactRules.length > 0) {
            best = firstMatch(n.exactRules, best, req, nowMs, true);
          }
          break;
        }
        n = n.child(b[off + i]);
        if (n == null) {
          break;
        }
      }
    }
    return best == Integer.MAX_VALUE ? null : rules[best];
  }

  /** The lowest index in {@code candidates} (ascending) below {@code best} that matches. */
  private int firstMatch(
      int[] candidates, int best, RequestHeaders req, long nowMs, boolean pathHolds) {
    for (int i : candidates) {
      if (i >= best) {
        return best;
      }
      Rule r = rules[i];
      if (r.expiresAtMs > nowMs && (pathHolds ? r.matchesBesidesPath(req) : r.matches(req))) {
        return i;
      }
    }
    return best;
  }
}
