package dev.hfi.controlplane;

import dev.hfi.client.HfiClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** A real server on a free port with a memory store, a client, and raw HTTP for edge cases. */
final class ServerFixture implements AutoCloseable {
  final MemoryPolicyStore store = new MemoryPolicyStore();
  final ControlPlaneServer server;
  final HfiClient client;
  final URI uri;
  private final OkHttpClient http =
      new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(20)).build();

  ServerFixture() {
    this(b -> {});
  }

  ServerFixture(Consumer<ControlPlaneServer.Builder> customize) {
    ControlPlaneServer.Builder b = ControlPlaneServer.builder().withPort(0).withStore(store);
    customize.accept(b);
    server = b.build().start();
    uri = server.uri();
    client = HfiClient.builder().withBaseUri(uri).withTimeout(Duration.ofSeconds(20)).build();
  }

  /** A raw answer. */
  record Answer(int status, String body, okhttp3.Headers headers) {
    String header(String name) {
      return headers.get(name);
    }
  }

  Answer send(String method, String path, String contentType, String body) {
    return send(method, path, contentType, body, null);
  }

  Answer send(String method, String path, String contentType, String body, String token) {
    RequestBody rb = null;
    if (body != null) {
      rb =
          contentType == null
              ? RequestBody.create(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
              : RequestBody.create(body, MediaType.get(contentType));
    } else if (!method.equals("GET") && !method.equals("DELETE")) {
      rb = RequestBody.create(new byte[0]);
    }
    Request.Builder req =
        new Request.Builder().url(uri.resolve(path).toString()).method(method, rb);
    if (token != null) {
      req.header("Authorization", "Bearer " + token);
    }
    try (Response r = http.newCall(req.build()).execute()) {
      return new Answer(r.code(), r.body() == null ? "" : r.body().string(), r.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Answer get(String path) {
    return send("GET", path, null, null);
  }

  @Override
  public void close() {
    client.close();
    server.close();
    store.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
