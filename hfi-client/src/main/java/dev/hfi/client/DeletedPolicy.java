package dev.hfi.client;

/**
 * The result of a delete: the policy as it was, and the store revision of the deletion.
 *
 * @param policy the deleted policy
 * @param revision the store revision at which it was deleted
 */
public record DeletedPolicy(FaultInjectionPolicy policy, long revision) {}
