package dev.hfi.client;

/**
 * A compiled, immutable rule set as the filter receives it: the version (the store revision it was
 * compiled at) and its single-line JSON, whose format is fixed in docs/API_REFERENCE.md.
 *
 * @param version monotonically increasing; equal to the store revision it was compiled at
 * @param json the rule set, {@code {"version":N,"rules":[...]}}
 * @param ruleCount how many rules it holds
 */
public record RuleSet(long version, String json, int ruleCount) {}
