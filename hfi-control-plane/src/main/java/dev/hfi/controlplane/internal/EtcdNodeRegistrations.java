package dev.hfi.controlplane.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data-plane registrations of every replica on one etcd and prefix: key {@code
 * <prefix>nodes/<node>/<instance>}, value JSON {@code {"node","instance","applied","rejected",
 * "error","lastSeen"}} (lastSeen in epoch milliseconds). Each key is attached to the writing
 * replica's lease, whose TTL is the node expiry: while the replica lives it keeps the lease alive
 * (one keep-alive stream, no writes) and its registry deletes instances that stopped polling; when
 * every replica is gone the keys expire with their leases. The lease is not revoked on close, so a
 * restarted replica finds the instances that are still alive.
 *
 * <p>Reading is list, then watch from the listed revision; when the watch breaks, list again after
 * a backoff (the listener gets a new snapshot). Writes are asynchronous and best effort: a failed
 * one is logged and made good by the next change or heartbeat.
 */
public final class EtcdNodeRegistrations implements NodeRegistry.Shared {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdNodeRegistrations.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Client client;
  private final KV kv;
  private final ByteSequence prefix;
  private final long ttlSeconds;
  private final ScheduledExecutorService scheduler;
  private final Backoff backoff = Backoff.standard();
  private NodeRegistry.SharedListener listener;
  private Watch.Watcher watcher;
  private CompletableFuture<Long> lease;
  private CloseableClient keepAlive;
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

  private final Object leaseLock = new Object();
  private final Map<ByteSequence, CompletableFuture<?>> writes = new HashMap<>();
  private final CompletableFuture<Void> listed = new CompletableFuture<>();
  private volatile boolean closed;

  /**
   * Registrations under {@code prefix + "nodes/"}, kept for {@code ttl} after the last replica is
   * gone; list retries run on {@code scheduler}.
   */
  public EtcdNodeRegistrations(
      Client client, String prefix, Duration ttl, ScheduledExecutorService scheduler) {
    this.client = client;
    this.kv = client.getKVClient();
    this.prefix = bytes(prefix + "nodes/");
    this.ttlSeconds = Math.max(2, (ttl.toMillis() + 999) / 1000);
    this.scheduler = scheduler;
  }

  @Override
  public CompletableFuture<Void> start(NodeRegistry.SharedListener listener) {
    this.listener = listener;
    list();
    return listed;
  }

  private void list() {
    kv.get(prefix, GetOption.builder().isPrefix(true).build())
        .whenComplete(
            (r, error) -> {
              // The listener is called without this object's lock: it calls back into put.
              if (closed) {
                return;
              }
              if (error != null) {
                retry("listing data-plane registrations", error);
                return;
              }
              List<NodeRegistry.Registration> all = new ArrayList<>();
              for (KeyValue k : r.getKvs()) {
                NodeRegistry.Registration reg = decode(k);
                if (reg != null) {
                  all.add(reg);
                }
              }
              listener.onSnapshot(all);
              listed.complete(null);
              watch(r.getHeader().getRevision() + 1);
            });
  }

  private synchronized void watch(long from) {
    if (closed) {
      return;
    }
    WatchOption option =
        WatchOption.builder().isPrefix(true).withPrevKV(true).withRevision(from).build();
    watcher =
        client
            .getWatchClient()
            .watch(prefix, option, Watch.listener(this::onResponse, this::onWatchError));
  }

  private void onResponse(WatchResponse response) {
    if (closed) {
      return;
    }
    backoff.reset();
    for (WatchEvent e : response.getEvents()) {
      if (e.getEventType() == WatchEvent.EventType.DELETE) {
        KeyValue prev = e.getPrevKV();
        NodeRegistry.Registration gone = prev == null ? null : decode(prev);
        if (gone != null) {
          listener.onDelete(gone.node(), gone.instance());
        }
      } else {
        NodeRegistry.Registration reg = decode(e.getKeyValue());
        if (reg != null) {
          listener.onPut(reg);
        }
      }
    }
  }

  private synchronized void onWatchError(Throwable error) {
    if (closed) {
      return;
    }
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
    retry("watching data-plane registrations", error);
  }

  private void retry(String what, Throwable error) {
    long delay = backoff.nextDelayMillis();
    LOG.debug("{} failed, listing again in {} ms: {}", what, delay, error.toString());
    scheduler.schedule(
        () -> {
          if (!closed) {
            list();
          }
        },
        delay,
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void put(NodeRegistry.Registration r) {
    ByteSequence key = key(r.node(), r.instance());
    ByteSequence value = encode(r);
    inOrder(
        key,
        () ->
            leaseId()
                .thenCompose(id -> kv.put(key, value, PutOption.builder().withLeaseId(id).build()))
                .whenComplete(
                    (ok, error) -> {
                      if (error != null
                          && String.valueOf(error.getMessage()).contains("lease not found")) {
                        forgetLease(); // etcd was away longer than the TTL: take a new one
                      }
                    }),
        "registering data-plane instance " + r.node() + "/" + r.instance());
  }

  @Override
  public void delete(String node, String instance, long modRevision) {
    ByteSequence key = key(node, instance);
    inOrder(
        key,
        () ->
            modRevision <= 0
                ? kv.delete(key)
                : kv.txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)))
                    .Then(Op.delete(key, DeleteOption.DEFAULT))
                    .commit(),
        "removing data-plane instance " + node + "/" + instance);
  }

  /**
   * Runs the writes of one key one after the other, in the order they were asked for: two
   * asynchronous puts of one instance (version 1, then 2) must not land the other way round. A
   * write that does not finish within {@link #WRITE_TIMEOUT} (etcd away) lets the next one go.
   */
  private void inOrder(ByteSequence key, Supplier<CompletableFuture<?>> write, String what) {
    synchronized (writes) {
      CompletableFuture<?> before =
          writes.getOrDefault(key, CompletableFuture.completedFuture(null));
      CompletableFuture<Object> done = new CompletableFuture<>();
      writes.put(key, done);
      before.whenComplete(
          (ignored, previous) -> {
            CompletableFuture<?> call;
            try {
              call = write.get();
            } catch (RuntimeException e) {
              call = CompletableFuture.failedFuture(e);
            }
            call.orTimeout(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete(
                    (ok, error) -> {
                      if (error != null) {
                        LOG.debug("{} failed: {}", what, error.toString());
                      }
                      synchronized (writes) {
                        writes.remove(key, done);
                      }
                      done.complete(null);
                    });
          });
    }
  }

  private CompletableFuture<Long> leaseId() {
    synchronized (leaseLock) {
      if (lease == null || lease.isCompletedExceptionally()) {
        CompletableFuture<Long> granted =
            client.getLeaseClient().grant(ttlSeconds).thenApply(r -> r.getID());
        lease = granted;
        granted.thenAccept(this::keepAlive);
      }
      return lease;
    }
  }

  private void keepAlive(long id) {
    synchronized (leaseLock) {
      if (closed || lease == null || lease.getNow(-1L) != id) {
        return;
      }
      keepAlive = EtcdKeepAlive.start(client.getLeaseClient(), id, this::forgetLease);
    }
  }

  private void forgetLease() {
    synchronized (leaseLock) {
      if (keepAlive != null) {
        keepAlive.close();
        keepAlive = null;
      }
      lease = null;
    }
  }

  /**
   * Stops watching and renewing; the lease is left to expire, so registrations outlive a restart.
   */
  @Override
  public synchronized void close() {
    closed = true;
    if (watcher != null) {
      watcher.close();
    }
    synchronized (leaseLock) {
      if (keepAlive != null) {
        keepAlive.close();
      }
    }
  }

  private ByteSequence key(String node, String instance) {
    return prefix.concat(bytes(node + "/" + instance));
  }

  private static ByteSequence encode(NodeRegistry.Registration r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("node", r.node());
    o.put("instance", r.instance());
    o.put("applied", r.applied());
    if (r.rejected() != null) {
      o.put("rejected", r.rejected());
      o.put("error", r.error());
    }
    o.put("lastSeen", r.lastSeen().toEpochMilli());
    return ByteSequence.from(o.toString(), StandardCharsets.UTF_8);
  }

  private static NodeRegistry.Registration decode(KeyValue k) {
    try {
      JsonNode o = JSON.readTree(k.getValue().getBytes());
      return new NodeRegistry.Registration(
          o.path("node").asText(),
          o.path("instance").asText(),
          o.path("applied").asLong(),
          o.hasNonNull("rejected") ? o.get("rejected").asLong() : null,
          o.hasNonNull("rejected") ? o.path("error").asText("") : null,
          Instant.ofEpochMilli(o.path("lastSeen").asLong()),
          k.getModRevision());
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "ignoring unreadable data-plane registration {}: {}",
          k.getKey().toString(StandardCharsets.UTF_8),
          e.toString());
      return null;
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
