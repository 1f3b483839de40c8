package dev.hfi.controlplane;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.ConflictException;
import dev.hfi.client.DeletedPolicy;
import dev.hfi.client.ErrorCode;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiException;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyNotFoundException;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.client.StoreUnavailableException;
import java.util.Optional;

/**
 * Where policies live. Revisions work like etcd's: the store has one global revision that every
 * write increases by one; a policy's {@code metadata.resourceVersion} is the revision of its last
 * modification (a decimal string, as in Kubernetes). An empty store is at revision 1.
 *
 * <p>Contract (pinned by {@code AbstractPolicyStoreContractTest}, which every implementation
 * passes):
 *
 * <ul>
 *   <li>{@link #apply} creates or updates. When the incoming policy carries a {@code
 *       resourceVersion}, it must equal the stored one (a missing policy has none), else {@link
 *       ConflictException}. An apply whose spec and labels equal the stored ones is {@link
 *       ApplyResult.Outcome#UNCHANGED}: no revision bump, no event. The store sets {@code
 *       resourceVersion}, {@code creationTimestamp} and {@code status} (when the spec was last set
 *       and, with {@code spec.duration}, when the policy expires); those fields of the input are
 *       ignored. Invalid policies are rejected with {@link InvalidPolicyException}.
 *   <li>{@link #delete} removes a policy ({@link PolicyNotFoundException} if absent; {@link
 *       ConflictException} if an expected resourceVersion is given and differs).
 *   <li>{@link #watch} delivers every change after {@code fromRevision}, in revision order, once
 *       each, replaying past changes it still keeps; {@link HfiException} with {@link
 *       ErrorCode#COMPACTED} when it no longer keeps them. Listeners run on store threads, never on
 *       the writer's, so a slow listener never blocks a writer.
 *   <li>An unreachable backend throws {@link StoreUnavailableException}.
 * </ul>
 *
 * <p>Implementations are thread-safe.
 *
 * <pre>{@code
 * try (PolicyStore store = new MemoryPolicyStore()) {
 *   ApplyResult r = store.apply(policy);
 *   PolicySnapshot all = store.list();
 *   try (PolicyStore.Watch w = store.watch(all.revision(), event -> System.out.println(event))) {
 *     store.delete(policy.name());
 *   }
 * }
 * }</pre>
 */
public interface PolicyStore extends AutoCloseable {

  /** The policy with that name, if any. */
  Optional<FaultInjectionPolicy> get(String name);

  /** Every policy, sorted by name, with the revision they were read at. */
  PolicySnapshot list();

  /** Creates or updates, checking an optimistic {@code metadata.resourceVersion} when present. */
  ApplyResult apply(FaultInjectionPolicy policy);

  /** Deletes the policy; returns it and the revision of the deletion. */
  default DeletedPolicy delete(String name) {
    return delete(name, null);
  }

  /**
   * Deletes the policy only if its resourceVersion still equals {@code expectedResourceVersion}
   * (null = unconditionally).
   */
  DeletedPolicy delete(String name, String expectedResourceVersion);

  /** The current revision. Also the readiness probe: throws when the backend is unreachable. */
  long revision();

  /** Delivers every change with a revision greater than {@code fromRevision}, in order. */
  Watch watch(long fromRevision, Listener listener);

  /** Releases the store's resources; open watches end. */
  @Override
  void close();

  /**
   * One change.
   *
   * @param type PUT (created or updated) or DELETE
   * @param name the policy name
   * @param policy the policy after a PUT; the last stored version for a DELETE
   * @param revision the store revision of this change
   * @param created true for a PUT that created the policy
   */
  record Event(
      Type type, String name, FaultInjectionPolicy policy, long revision, boolean created) {
    /** Kinds of change. */
    public enum Type {
      /** Created or updated. */
      PUT,
      /** DeletedPolicy (also by expiry). */
      DELETE
    }
  }

  /** Receives changes, one at a time, in revision order. */
  @FunctionalInterface
  interface Listener {
    /** One change. */
    void onEvent(Event event);

    /**
     * The watch broke (the backend went away or fell too far behind). No more events follow; list
     * and watch again.
     */
    default void onError(HfiException error) {}
  }

  /** An open watch; closing it stops delivery. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }
}
