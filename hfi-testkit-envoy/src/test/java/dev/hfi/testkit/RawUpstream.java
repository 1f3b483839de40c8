package dev.hfi.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * An upstream on a bare socket, for answers an HTTP server library will not give: it reads each
 * request's head, then either writes {@code answer} byte for byte and closes, or (answer null)
 * resets the connection (TCP RST) before answering.
 */
final class RawUpstream implements AutoCloseable {
  private final ServerSocket server;
  private final byte[] answer;

  /** Writes {@code answer} (a whole HTTP/1.1 response) to every request. */
  static RawUpstream answering(String answer) throws IOException {
    return new RawUpstream(answer.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Resets every connection once the request head has arrived. */
  static RawUpstream resetting() throws IOException {
    return new RawUpstream(null);
  }

  /** A URI where nothing listens: bound to a free loopback port, then released. */
  static URI down() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + s.getLocalPort());
    }
  }

  private RawUpstream(byte[] answer) throws IOException {
    this.answer = answer;
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::serve, "raw-upstream-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        readHead(s.getInputStream());
        if (answer == null) {
          s.setSoLinger(true, 0); // close() now sends RST, not FIN
        } else {
          OutputStream out = s.getOutputStream();
          out.write(answer);
          out.flush();
        }
      } catch (IOException e) {
        // closed, or the client went away: serve the next one
      }
    }
  }

  /** Reads up to the blank line that ends the head (the tests send no request bodies). */
  private static void readHead(InputStream in) throws IOException {
    int last4 = 0;
    for (int b; (b = in.read()) >= 0; ) {
      last4 = (last4 << 8) | b;
      if (last4 == 0x0d0a0d0a) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
