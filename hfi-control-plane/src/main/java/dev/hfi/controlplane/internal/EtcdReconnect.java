package dev.hfi.controlplane.internal;

import io.etcd.jetcd.Client;
import io.grpc.ManagedChannel;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
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
    if (unsupported) {
      return;
    }
    try {
      Field f = client.getClass().getDeclaredField("connectionManager");
      f.setAccessible(true);
      Object manager = f.get(client);
      Method m = manager.getClass().getDeclaredMethod("getChannel");
      m.setAccessible(true);
      ((ManagedChannel) m.invoke(manager)).resetConnectBackoff();
    } catch (ReflectiveOperationException | RuntimeException e) {
      unsupported = true;
      LOG.info("cannot reach jetcd's channel ({}); reconnects follow gRPC's backoff", e.toString());
    }
  }
}
