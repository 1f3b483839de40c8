package dev.hfi.controlplane.internal;

import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;

/** Keeps an etcd lease alive and says when it is lost for good. */
final class EtcdKeepAlive {
  private EtcdKeepAlive() {}

  /**
   * Renews {@code lease} until the returned client is closed; {@code lost} runs (maybe more than
   * once) when etcd no longer knows the lease or it could not be renewed within its TTL.
   */
  static CloseableClient start(Lease leases, long lease, Runnable lost) {
    return leases.keepAlive(
        lease,
        new StreamObserver<LeaseKeepAliveResponse>() {
          @Override
          public void onNext(LeaseKeepAliveResponse r) {}

          @Override
          public void onError(Throwable t) {
            // jetcd reconnects the keep-alive stream itself; only a lease etcd no longer knows is
            // final. A lease that cannot be renewed ends in onCompleted at its TTL.
            if (String.valueOf(t.getMessage()).contains("lease not found")) {
              lost.run();
            }
          }

          @Override
          public void onCompleted() {
            lost.run();
          }
        });
  }
}
