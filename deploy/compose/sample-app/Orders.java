import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The sample service of HFI's compose environment: a tiny orders API on the JDK's own HTTP server.
 *
 * <pre>
 *   GET /api/orders        200 [{"id":"1001",...},...]
 *   GET /api/orders/{id}   200 {"id":"1001",...} or 404 {"error":"..."}
 *   GET /healthz           200 {"status":"ok"}
 * </pre>
 *
 * Listens on $PORT (default 9000); stops on SIGTERM.
 */
public final class Orders {
  private static final String[][] ORDERS = {
    {"1001", "ada", "3", "SHIPPED"}, {"1002", "grace", "1", "PAID"}, {"1003", "linus", "2", "NEW"}
  };

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "9000"));
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 256);
    ExecutorService workers = Executors.newFixedThreadPool(16);
    server.setExecutor(workers);
    server.createContext("/healthz", ex -> reply(ex, 200, "{\"status\":\"ok\"}"));
    server.createContext("/api/orders", Orders::orders);
    server.createContext("/", ex -> reply(ex, 404, error("no route for " + ex.getRequestURI().getPath())));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.stop(0);
                  workers.shutdown();
                }));
    server.start();
    System.out.println("orders: listening on :" + port);
  }

  private static void orders(HttpExchange ex) throws IOException {
    if (!"GET".equals(ex.getRequestMethod())) {
      reply(ex, 405, error("only GET is supported"));
      return;
    }
    String path = ex.getRequestURI().getPath();
    if (path.equals("/api/orders") || path.equals("/api/orders/")) {
      StringBuilder all = new StringBuilder("[");
      for (String[] order : ORDERS) {
        all.append(all.length() > 1 ? "," : "").append(json(order));
      }
      reply(ex, 200, all.append(']').toString());
      return;
    }
    String id = path.substring("/api/orders/".length());
    for (String[] order : ORDERS) {
      if (order[0].equals(id)) {
        reply(ex, 200, json(order));
        return;
      }
    }
    reply(ex, 404, error("order " + id.replaceAll("[^A-Za-z0-9-]", "?") + " not found"));
  }

  private static String json(String[] o) {
    return String.format(
        "{\"id\":\"%s\",\"customer\":\"%s\",\"items\":%s,\"status\":\"%s\"}", o[0], o[1], o[2], o[3]);
  }

  private static String error(String message) {
    return "{\"error\":\"" + message + "\"}";
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
