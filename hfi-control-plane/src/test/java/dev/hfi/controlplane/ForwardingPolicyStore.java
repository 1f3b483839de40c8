package dev.hfi.controlplane;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.DeletedPolicy;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.PolicySnapshot;
import java.util.Optional;

/**
 * A real store behind a {@link PolicyStore} that passes every call on; a test overrides the calls
 * that should fail the way a backend does.
 */
public abstract class ForwardingPolicyStore implements PolicyStore {
  /** The store every call goes to unless overridden. */
  protected final PolicyStore delegate;

  /** Forwards to {@code delegate}, which it closes with itself. */
  protected ForwardingPolicyStore(PolicyStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public Optional<FaultInjectionPolicy> get(String name) {
    return delegate.get(name);
  }

  @Override
  public PolicySnapshot list() {
    return delegate.list();
  }

  @Override
  public ApplyResult apply(FaultInjectionPolicy policy) {
    return delegate.apply(policy);
  }

  @Override
  public DeletedPolicy delete(String name, String expectedResourceVersion) {
    return delegate.delete(name, expectedResourceVersion);
  }

  @Override
  public Watch watch(long fromRevision, Listener listener) {
    return delegate.watch(fromRevision, listener);
  }

  @Override
  public long revision() {
    return delegate.revision();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
