package dev.hfi.examples.spring;

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
 * The real inventory service the product service depends on, on a JDK HTTP server on a free port:
 * {@code GET /api/stock/{sku}} answers {@code {"sku":...,"available":7}}. Counts the requests that
 * reached it.
 */
final class InventoryServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  final AtomicInteger reads = new AtomicInteger();

  InventoryServer() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(threads);
    server.createContext(
        "/api/stock/",
        x -> {
          reads.incrementAndGet();
          String sku = x.getRequestURI().getPath().substring("/api/stock/".length());
          byte[] body =
              ("{\"sku\":\"" + sku + "\",\"available\":7}").getBytes(StandardCharsets.UTF_8);
          x.getResponseHeaders().set("content-type", "application/json");
          x.sendResponseHeaders(200, body.length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
