package dev.hfi.client;

/**
 * What an apply (create-or-update) did, the policy as stored, and the store revision the caller can
 * wait for ({@code HfiClient#awaitApplied}).
 *
 * <p>Over HTTP: {@code 201} = {@link Outcome#CREATED}; {@code 200} with header {@code
 * X-Hfi-Apply-Result: configured} or {@code unchanged}; the revision is in {@code X-Hfi-Revision}.
 *
 * @param outcome created, configured or unchanged
 * @param policy the stored policy, with {@code metadata.resourceVersion} and {@code status}
 * @param revision the store revision after the apply (the current one when unchanged)
 */
public record ApplyResult(Outcome outcome, FaultInjectionPolicy policy, long revision) {

  /** The three answers kubectl prints. */
  public enum Outcome {
    /** No policy had that name. */
    CREATED,
    /** The spec or labels changed: new resourceVersion, new rule set. */
    CONFIGURED,
    /** Spec and labels equal the stored ones: no new revision, no new rule set. */
    UNCHANGED;

    /** Lower-case wire form: {@code created}, {@code configured}, {@code unchanged}. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The outcome for its wire form. */
    public static Outcome fromWireName(String s) {
      return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
    }
  }
}
