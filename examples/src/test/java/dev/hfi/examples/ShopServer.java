package dev.hfi.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real services the example clients call, on one JDK HTTP server on a free port: {@code POST
 * /api/orders} (201 with the order), {@code GET /api/prices/{sku}} (12.50), {@code GET
 * /api/stock/{sku}} (7). Counts the requests that reached it.
 */
final class ShopServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  final AtomicInteger orders = new AtomicInteger();
  final AtomicInteger stockReads = new AtomicInteger();

  ShopServer() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(threads);
    server.createContext(
        "/api/orders",
        x -> {
          int n = orders.incrementAndGet();
          x.getRequestBody().readAllBytes();
          send(x, 201, "{\"id\":\"o-" + n + "\"}");
        });
    server.createContext("/api/prices/", x -> send(x, 200, "12.50"));
    server.createContext(
        "/api/stock/",
        x -> {
          stockReads.incrementAndGet();
          send(x, 200, "7");
        });
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private static void send(HttpExchange x, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
