package dev.hfi.store.etcd.internal;

import io.etcd.jetcd.Client;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a jetcd client reconnect now instead of after gRPC's exponential backoff, which grows to
 * many seconds during an etcd outage and would delay recovery by as much. jetcd 0.8 does not expose
 * its channel, so this reaches it reflectively (ClientImpl.connectionManager.getChannel()); when
 * the internals differ it degrades to gRPC's own backoff and says so once.
 */
public final class EtcdReconnect implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdReconnect.class);

  private static final long CONNECT_WINDOW_MS = 500;

  private final Client client;
  private volatile boolean unsupported;
  private volatile long lastFailedWait = System.nanoTime() - TimeUnit.HOURS.toNanos(1);

  /** Reconnects {@code client}'s channel on {@link #run()}. */
  public EtcdReconnect(Client client) {
    this.client = client;
  }

  /** Resets the channel's connect backoff: a channel in failure tries to connect at once. */
  @Override
  public void run() {
    ManagedChannel channel = channel();
    if (channel != null) {
      channel.resetConnectBackoff();
    }
  }

  /**
   * Connects now and waits (on channel state events) until the channel is ready, for at most {@code
   * max} and at most {@value #CONNECT_WINDOW_MS} ms: gRPC's pick-first stays in TRANSIENT_FAILURE
   * while it retries, so a failed attempt shows as no change, and a live etcd answers within
   * milliseconds. After a failed wait, further calls within that window do not wait again, so
   * requests during an outage fail fast. Returns whether the channel is ready (true when the
   * channel is out of reach, so that the caller simply tries).
   */
  public boolean awaitReady(Duration max) {
    ManagedChannel channel = channel();
    if (channel == null) {
      return true;
    }
    if (channel.getState(false) == ConnectivityState.READY) {
      return true;
    }
    channel.resetConnectBackoff();
    long now = System.nanoTime();
    if (now - lastFailedWait < TimeUnit.MILLISECONDS.toNanos(CONNECT_WINDOW_MS)) {
      return false;
    }
    long deadline = now + Math.min(max.toNanos(), TimeUnit.MILLISECONDS.toNanos(CONNECT_WINDOW_MS));
    ConnectivityState state = channel.getState(true);
    while (state != ConnectivityState.READY) {
      long left = deadline - System.nanoTime();
      if (state == ConnectivityState.SHUTDOWN || left <= 0) {
        lastFailedWait = System.nanoTime();
        return false;
      }
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(state, changed::countDown);
      try {
        changed.await(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      state = channel.getState(false);
    }
    return true;
  }

  private ManagedChannel channel() {
    if (unsupported) {
      return null;
    }
    try {
      Field f = client.getClass().getDeclaredField("connectionManager");
      f.setAccessible(true);
      Object manager = f.get(client);
      Method m = manager.getClass().getDeclaredMethod("getChannel");
      m.setAccessible(true);
      return (ManagedChannel) m.invoke(manager);
    } catch (ReflectiveOperationException | RuntimeException e) {
      unsupported = true;
      LOG.info("cannot reach jetcd's channel ({}); reconnects follow gRPC's backoff", e.toString());
      return null;
    }
  }
}
