package dev.hfi.controlplane.internal;

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

  private final Client client;
  private volatile boolean unsupported;

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
   * Connects now and waits (on channel state events) until the channel is ready, or the attempt
   * failed, or {@code max} passed. Returns whether it is ready; true when the channel is out of
   * reach, so that the caller simply tries.
   */
  public boolean awaitReady(Duration max) {
    ManagedChannel channel = channel();
    if (channel == null) {
      return true;
    }
    channel.resetConnectBackoff();
    long deadline = System.nanoTime() + max.toNanos();
    ConnectivityState state = channel.getState(true);
    boolean attempted = false;
    while (state != ConnectivityState.READY) {
      if (state == ConnectivityState.SHUTDOWN
          || (attempted && state == ConnectivityState.TRANSIENT_FAILURE)) {
        return false;
      }
      attempted |= state == ConnectivityState.CONNECTING;
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(state, changed::countDown);
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !changed.await(left, TimeUnit.NANOSECONDS)) {
          return false;
        }
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
