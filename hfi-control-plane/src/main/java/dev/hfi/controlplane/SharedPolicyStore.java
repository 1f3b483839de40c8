package dev.hfi.controlplane;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link PolicyStore} that several control-plane replicas share (the etcd store of {@code
 * hfi-store-etcd}): it elects the one replica that runs a singleton duty. {@link
 * ControlPlaneServer} runs policy expiry through it; on a store only one control plane uses (the
 * memory store), the duty simply runs.
 */
public interface SharedPolicyStore extends PolicyStore {

  /**
   * Runs a singleton duty on exactly one of the replicas that share this store. This replica
   * campaigns in the election {@code duty}; while it leads, the duty runs ({@code start} is called,
   * and the returned handle is closed when leadership ends). When the leader dies, another replica
   * takes over. Closing the returned handle resigns.
   *
   * @param duty the election name, e.g. {@code expirer}
   * @param replica this replica's identity, shown as the leader (e.g. {@code pid@host})
   * @param start starts the duty and returns the handle that stops it
   */
  AutoCloseable runWhileLeader(
      String duty, String replica, Supplier<? extends AutoCloseable> start);

  /** The identity of the current leader of {@code duty}, if one is elected. */
  Optional<String> leader(String duty);
}
