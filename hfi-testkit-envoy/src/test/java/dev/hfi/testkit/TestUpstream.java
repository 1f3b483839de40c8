package dev.hfi.testkit;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP upstream (the JDK's server) for the data-plane tests:
 *
 * <ul>
 *   <li>{@code /status/N}: answers status N with header {@code x-upstream: real} and body {@code
 *       upstream N}.
 *   <li>{@code /headers}: answers 200 with the request headers it received, one {@code name: value}
 *       line each, names lower-cased and sorted.
 *   <li>{@code /bytes?n=N}: streams N bytes (chunked) of {@link #pattern}.
 *   <li>{@code /sha256} (POST): reads the body, answers {@code <length> <sha-256 hex>}.
 *   <li>anything else: 200, {@code x-upstream: real}, body {@code hello <method> <path>}.
 * </ul>
 */
final class TestUpstream implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final AtomicLong requests = new AtomicLong();
  private final List<Arrival> arrivals = new ArrayList<>();

  /** When a request for a path arrived, with its query string. */
  record Arrival(long nanoTime, String path, String query) {}

  private final int fixedStatus;

  TestUpstream() throws IOException {
    this(0, 0);
  }

  private TestUpstream(int port, int fixedStatus) throws IOException {
    this.fixedStatus = fixedStatus;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * A server on {@code port} that answers every request with {@code status}, e.g. a failing
   * service.
   */
  static TestUpstream answeringOn(int port, int status) throws IOException {
    return new TestUpstream(port, status);
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Requests received so far. */
  long requests() {
    return requests.get();
  }

  /**
   * Blocks until {@code count} requests whose path starts with {@code pathPrefix} have arrived (or
   * {@code timeoutMillis} passed) and returns them in arrival order.
   */
  List<Arrival> awaitArrivals(String pathPrefix, int count, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    synchronized (arrivals) {
      while (true) {
        List<Arrival> matching =
            arrivals.stream().filter(a -> a.path().startsWith(pathPrefix)).toList();
        long left = deadline - System.currentTimeMillis();
        if (matching.size() >= count || left <= 0) {
          return matching;
        }
        arrivals.wait(left);
      }
    }
  }

  /** Byte {@code i} of every {@code /bytes} body. */
  static byte pattern(long i) {
    return (byte) ((i * 31 + (i >>> 8)) & 0xff);
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    synchronized (arrivals) {
      arrivals.add(
          new Arrival(
              System.nanoTime(),
              exchange.getRequestURI().getPath(),
              exchange.getRequestURI().getRawQuery()));
      arrivals.notifyAll();
    }
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Headers out = exchange.getResponseHeaders();
      out.add("x-upstream", "real");
      if (fixedStatus != 0) {
        send(exchange, fixedStatus, "unavailable");
      } else if (path.startsWith("/status/")) {
        int status = Integer.parseInt(path.substring("/status/".length()));
        send(exchange, status, "upstream " + status);
      } else if (path.equals("/headers")) {
        Map<String, List<String>> sorted = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> sorted.put(k.toLowerCase(Locale.ROOT), v));
        StringBuilder body = new StringBuilder();
        sorted.forEach(
            (k, v) -> v.forEach(value -> body.append(k).append(": ").append(value).append('\n')));
        send(exchange, 200, body.toString());
      } else if (path.equals("/bytes")) {
        long n = Long.parseLong(exchange.getRequestURI().getQuery().substring("n=".length()));
        exchange.sendResponseHeaders(200, 0);
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream body = exchange.getResponseBody()) {
          for (long sent = 0; sent < n; ) {
            int len = (int) Math.min(chunk.length, n - sent);
            for (int i = 0; i < len; i++) {
              chunk[i] = pattern(sent + i);
            }
            body.write(chunk, 0, len);
            sent += len;
          }
        }
      } else if (path.equals("/sha256")) {
        MessageDigest sha = sha256();
        long length = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = exchange.getRequestBody()) {
          for (int r; (r = in.read(buf)) > 0; ) {
            sha.update(buf, 0, r);
            length += r;
          }
        }
        send(exchange, 200, length + " " + HexFormat.of().formatHex(sha.digest()));
      } else {
        send(exchange, 200, "hello " + exchange.getRequestMethod() + " " + path);
      }
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
