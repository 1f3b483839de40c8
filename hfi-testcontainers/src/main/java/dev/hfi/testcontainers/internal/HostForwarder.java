package dev.hfi.testcontainers.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP forwarders in this JVM: each listens on a free port of one address containers can reach (a
 * Docker network's gateway, an address of this machine on a Linux Docker host) and relays every
 * connection to a server on this machine that containers cannot reach (one bound to loopback). It
 * plays the part of Testcontainers' {@code exposeHostPorts} without its sshd image.
 *
 * <p>Each accepted connection opens one to the target; bytes flow both ways, a half-close is passed
 * on. A target that refuses, or a connection that fails, resets the other side, so the container
 * sees a failed upstream as a failure. Thread-safe; {@link #close()} stops listening and cuts every
 * relayed connection.
 */
public final class HostForwarder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HostForwarder.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final InetAddress listen;
  private final Map<String, ServerSocket> listeners = new ConcurrentHashMap<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "hfi-forward-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
  private volatile boolean closed;

  /** Forwarders listening on {@code listen} (an address of this machine, or the wildcard). */
  public HostForwarder(InetAddress listen) {
    this.listen = listen;
  }

  /**
   * The port on the listening address at which {@code host:port} of this machine is relayed; the
   * first call for a target starts its listener, later ones return the same port.
   *
   * @throws IllegalStateException when the listening address cannot be bound
   */
  public synchronized int forward(String host, int port) {
    if (closed) {
      throw new IllegalStateException("forwarder closed");
    }
    String key = host + ":" + port;
    ServerSocket existing = listeners.get(key);
    if (existing != null) {
      return existing.getLocalPort();
    }
    try {
      ServerSocket server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(listen, 0), 512);
      listeners.put(key, server);
      InetSocketAddress target = new InetSocketAddress(host, port);
      threads.execute(() -> acceptLoop(server, target));
      return server.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot listen on " + listen.getHostAddress() + " to forward to " + key + ": " + e, e);
    }
  }

  private void acceptLoop(ServerSocket server, InetSocketAddress target) {
    while (!closed) {
      Socket in;
      try {
        in = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("forwarder to {} stopped accepting: {}", target, e.toString());
        }
        return;
      }
      threads.execute(() -> relay(in, target));
    }
  }

  private void relay(Socket in, InetSocketAddress target) {
    open.add(in);
    Socket out = new Socket();
    try {
      in.setTcpNoDelay(true);
      out.setTcpNoDelay(true);
      out.connect(target, 5_000);
    } catch (IOException e) {
      // Nothing listens there: the container sees its connection reset.
      reset(in);
      closeQuietly(out);
      return;
    }
    open.add(out);
    threads.execute(() -> pump(out, in));
    pump(in, out);
  }

  /** Copies until end of stream, then half-closes {@code to}; the second to finish closes both. */
  private void pump(Socket from, Socket to) {
    byte[] buf = new byte[64 * 1024];
    try {
      InputStream is = from.getInputStream();
      OutputStream os = to.getOutputStream();
      for (int n; (n = is.read(buf)) >= 0; ) {
        os.write(buf, 0, n);
      }
      synchronized (this) {
        to.shutdownOutput();
        if (from.isOutputShutdown()) {
          closeQuietly(from);
          closeQuietly(to);
        }
      }
    } catch (IOException e) {
      reset(to);
      reset(from);
    }
  }

  private void reset(Socket s) {
    try {
      if (!s.isClosed()) {
        s.setSoLinger(true, 0);
      }
    } catch (SocketException e) {
      // Closing it anyway.
    }
    closeQuietly(s);
  }

  private void closeQuietly(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // Nothing more to do.
    }
  }

  @Override
  public void close() {
    closed = true;
    for (ServerSocket server : listeners.values()) {
      try {
        server.close();
      } catch (IOException e) {
        // Already closed.
      }
    }
    listeners.clear();
    for (Socket s : open) {
      closeQuietly(s);
    }
    threads.shutdownNow();
  }
}
