package dev.hfi.controlplane.internal;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.DeletedPolicy;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyCodec;
import dev.hfi.client.StoreUnavailableException;
import dev.hfi.client.internal.Limits;
import dev.hfi.controlplane.PolicyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The API's write path: admits a policy only when the rule set it would produce is within {@link
 * Limits} (policy count, rule-set bytes, regex instructions), then writes it. A refused write is an
 * {@link InvalidPolicyException} (400) naming the field and the limit, and changes nothing.
 *
 * <p>Writes through one server are serialised here, and each is checked against the rules the
 * {@link Distributor} holds once it has seen this server's previous write, so a client applying
 * policies one after another meets the limit exactly. Replicas sharing an etcd store each check
 * their own writes: concurrent creations on different replicas may pass the count together (by at
 * most one per replica), which the limits' headroom below the data planes' covers.
 */
public final class Admission {
  private final PolicyStore store;
  private final Distributor distributor;
  private final long maxPolicies;

  /** The revision of this server's last write that changed something. */
  private long written;

  /** How long a write waits for the distributor to see the previous one. */
  private static final Duration CATCH_UP = Duration.ofSeconds(10);

  /** Admits writes to {@code store} against the rules of {@code distributor}. */
  public Admission(PolicyStore store, Distributor distributor, long maxPolicies) {
    this.store = Objects.requireNonNull(store, "store");
    this.distributor = Objects.requireNonNull(distributor, "distributor");
    this.maxPolicies = maxPolicies;
  }

  /** Applies {@code policy} if admitted. */
  public synchronized ApplyResult apply(FaultInjectionPolicy policy) {
    PolicyWrites.Prepared prepared = check(policy, -1);
    ApplyResult r = store.apply(policy);
    if (prepared.outcome() != ApplyResult.Outcome.UNCHANGED) {
      written = Math.max(written, r.revision());
    }
    return r;
  }

  /**
   * Deletes {@code name} through the same order as writes, so that the next write is checked
   * against rules without it (a create right after a delete at the policy limit is admitted).
   */
  public synchronized DeletedPolicy delete(String name) {
    DeletedPolicy d = store.delete(name);
    written = Math.max(written, d.revision());
    return d;
  }

  /** What {@link #apply} would do (a dry run): the same checks, nothing stored. */
  public synchronized ApplyResult dryRun(FaultInjectionPolicy policy) {
    long revision = store.revision();
    PolicyWrites.Prepared p = check(policy, revision);
    return new ApplyResult(p.outcome(), p.policy(), revision);
  }

  /**
   * Checks {@code policy} and prepares it at {@code revision} (a dry run's), or at the revision
   * after the distributor's when that is -1.
   */
  private PolicyWrites.Prepared check(FaultInjectionPolicy policy, long revision) {
    PolicyCodec.validate(policy);
    Distributor.Totals t;
    try {
      t = distributor.totals(written, policy.name(), CATCH_UP);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while checking the control plane's limits");
    }
    if (t == null) {
      throw new StoreUnavailableException(
          "the control plane has not seen its own write of revision "
              + written
              + " within "
              + CATCH_UP.toSeconds()
              + " s, so it cannot check the rule-set limits; retry");
    }
    long nextRevision = revision < 0 ? t.revision() + 1 : revision;
    PolicyWrites.Prepared prepared =
        PolicyWrites.prepare(
            store.get(policy.name()).orElse(null), policy, nextRevision, Instant.now());
    if (prepared.outcome() == ApplyResult.Outcome.UNCHANGED) {
      return prepared;
    }
    RuleCompiler.Compiled rule = RuleCompiler.compile(prepared.policy());
    RuleCompiler.Compiled old = t.named();
    long rules = t.rules() + (old == null ? 1 : 0);
    long ruleBytes = t.ruleBytes() + rule.bytes() - (old == null ? 0 : old.bytes());
    long regexes =
        t.regexProgramSize() + rule.regexProgramSize() - (old == null ? 0 : old.regexProgramSize());
    // Only what a write adds is refused: an update that does not grow a total passes even when
    // the stored policies are already above a limit (e.g. after --max-policies was lowered).
    List<String> errors =
        Limits.ruleSet(
            policy.name(),
            old == null ? rules : 0,
            old == null || rule.bytes() > old.bytes()
                ? RuleCompiler.ruleSetBytes(nextRevision, rules, ruleBytes)
                : 0,
            old == null || rule.regexProgramSize() > old.regexProgramSize() ? regexes : 0,
            maxPolicies);
    if (!errors.isEmpty()) {
      throw new InvalidPolicyException(errors);
    }
    return prepared;
  }
}
