package dev.hfi.coexistence.spring;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** The inventory service the application calls: a real HTTP server answering stock per SKU. */
final class InventoryStub {
  private final HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();

  private InventoryStub(HttpServer server) {
    this.server = server;
    server.createContext(
        "/api/stock/",
        exchange -> {
          requests.incrementAndGet();
          String sku = exchange.getRequestURI().getPath().substring("/api/stock/".length());
          byte[] body = ("{\"sku\":\"" + sku + "\",\"count\":3}").getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("content-type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  /** Listens on {@code port} of 127.0.0.1 (0 = a free one). */
  static InventoryStub start(int port) {
    try {
      return new InventoryStub(
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0));
    } catch (IOException e) {
      throw new UncheckedIOException("inventory stub cannot listen on port " + port, e);
    }
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  void stop() {
    server.stop(0);
  }

  /** Requests that reached the stub so far. */
  int requests() {
    return requests.get();
  }
}
