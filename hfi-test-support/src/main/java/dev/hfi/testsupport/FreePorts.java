package dev.hfi.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks free TCP ports on 127.0.0.1 for a process that binds them itself (etcd, Envoy on the host
 * network). The one free-port helper of HFI's code and tests. The ports are free when picked;
 * another process could take one before Envoy binds it, which that process then reports as a bind
 * error.
 */
public final class FreePorts {

  private FreePorts() {}

  /** {@code count} distinct free ports: all are held open until the last one is picked. */
  public static List<Integer> pick(int count) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket();
        held.add(socket);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ports.add(socket.getLocalPort());
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free ports on 127.0.0.1", e);
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException e) {
          // A socket that was never bound or is already closed holds no port.
        }
      }
    }
  }
}
