package dev.hfi.store.etcd.internal;

import dev.hfi.client.StoreUnavailableException;
import dev.hfi.controlplane.internal.DaemonThreads;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderResponse;
import io.etcd.jetcd.election.NoLeaderException;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a duty while this replica leads an etcd election (jetcd {@link Election} on a lease with
 * keep-alive). A replica that stops renewing its lease (killed, cut off from etcd) loses it after
 * the TTL: etcd deletes its election key and the next campaigner wins. A replica that cannot renew
 * stops its duty when jetcd's keep-alive deadline passes, so two replicas never run it for long at
 * once (and the duties themselves use compare-and-swap, so an overlap cannot do harm).
 */
public final class EtcdLeadership implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdLeadership.class);
  private static final long RETRY_MS = 1_000;

  private final Client client;
  private final ByteSequence election;
  private final ByteSequence proposal;
  private final long ttlSeconds;
  private final Supplier<? extends AutoCloseable> duty;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Thread thread;

  /** Campaigns in {@code election} as {@code proposal} with a lease of {@code ttl}. */
  public EtcdLeadership(
      Client client,
      ByteSequence election,
      ByteSequence proposal,
      Duration ttl,
      Supplier<? extends AutoCloseable> duty) {
    this.client = client;
    this.election = election;
    this.proposal = proposal;
    this.ttlSeconds = ttl.toSeconds();
    this.duty = duty;
    this.thread =
        DaemonThreads.named("hfi-leader-" + election.toString(StandardCharsets.UTF_8))
            .newThread(this::run);
  }

  /** The value of the current leader's key, if one is elected. */
  public static Optional<String> leader(Client client, ByteSequence election, EtcdCalls calls) {
    try {
      LeaderResponse r =
          calls.call("reading the leader", () -> client.getElectionClient().leader(election));
      return Optional.of(r.getKv().getValue().toString(StandardCharsets.UTF_8));
    } catch (StoreUnavailableException e) {
      if (e.getCause() instanceof NoLeaderException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Starts campaigning in the background. */
  public void start() {
    thread.start();
  }

  private void run() {
    while (!closed.isDone()) {
      try {
        termOnce();
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        LOG.debug("leader election {} failed, campaigning again: {}", name(), e.toString());
        waitForClose(RETRY_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One lease: campaign with it, run the duty while it lives, then let it go. */
  private void termOnce() throws ExecutionException, TimeoutException, InterruptedException {
    Lease leases = client.getLeaseClient();
    long lease = leases.grant(ttlSeconds).get(ttlSeconds, TimeUnit.SECONDS).getID();
    CompletableFuture<Void> lost = new CompletableFuture<>();
    CloseableClient keepAlive =
        leases.keepAlive(
            lease,
            new StreamObserver<LeaseKeepAliveResponse>() {
              @Override
              public void onNext(LeaseKeepAliveResponse r) {}

              @Override
              public void onError(Throwable t) {
                // jetcd reconnects the keep-alive stream itself; only a lease etcd no longer
                // knows is final. A lease that cannot be renewed ends in onCompleted at its TTL.
                if (String.valueOf(t.getMessage()).contains("lease not found")) {
                  lost.complete(null);
                }
              }

              @Override
              public void onCompleted() {
                lost.complete(null);
              }
            });
    Election elections = client.getElectionClient();
    CompletableFuture<CampaignResponse> campaign = elections.campaign(election, lease, proposal);
    try {
      CompletableFuture.anyOf(campaign, lost, closed).get();
      if (campaign.isDone() && !lost.isDone() && !closed.isDone()) {
        lead(campaign.join(), lost);
      }
    } finally {
      campaign.cancel(true);
      keepAlive.close();
      revoke(leases, lease);
    }
  }

  /** Revoking deletes the election key at once, so a successor need not wait for the TTL. */
  private void revoke(Lease leases, long lease) {
    try {
      leases.revoke(lease).get(ttlSeconds, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("lease of {} not revoked ({}); it expires by itself", name(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void lead(CampaignResponse won, CompletableFuture<Void> lost)
      throws InterruptedException, ExecutionException {
    LOG.info("elected leader of {}; running it here", name());
    AutoCloseable running = duty.get();
    try {
      CompletableFuture.anyOf(lost, closed).get();
    } finally {
      try {
        running.close();
      } catch (Exception e) {
        LOG.warn("stopping {} failed: {}", name(), e.toString());
      }
      if (closed.isDone()) {
        LOG.info("resigning leadership of {} ({})", name(), won.getLeader().getKey());
      } else {
        LOG.warn("lost leadership of {} (lease expired); campaigning again", name());
      }
    }
  }

  private String name() {
    return election.toString(StandardCharsets.UTF_8);
  }

  private void waitForClose(long ms) {
    try {
      closed.get(ms, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Not closed within the pause: campaign again.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the duty if it runs here, resigns and stops campaigning. */
  @Override
  public void close() {
    closed.complete(null);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(ttlSeconds));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
