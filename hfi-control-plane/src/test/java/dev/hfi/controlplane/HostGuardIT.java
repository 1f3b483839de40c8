package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An unauthenticated control plane on loopback answers only to its own names, so that a web page
 * cannot reach it through DNS rebinding (its requests carry the page's Host).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostGuardIT {

  @Test
  void aForeignHostIsRefusedOnLoopbackWithoutAToken() throws IOException {
    try (ServerFixture f = new ServerFixture()) {
      String refused = get(f, "/v1/policies", "rebind.attacker.example:" + f.uri.getPort());
      assertThat(refused).startsWith("HTTP/1.1 403");
      assertThat(refused)
          .contains("\"code\":\"Forbidden\"", "rebind.attacker.example", "--allowed-hosts");
      // Even the health endpoints: the page must learn nothing.
      assertThat(get(f, "/healthz", "rebind.attacker.example")).startsWith("HTTP/1.1 403");
      for (String own : List.of("localhost", "127.0.0.1", "[::1]")) {
        assertThat(get(f, "/v1/policies", own + ":" + f.uri.getPort()))
            .as(own)
            .startsWith("HTTP/1.1 200");
      }
    }
  }

  @Test
  void configuredNamesPassAndTheGuardIsOffWithATokenOrANonLoopbackBind() throws IOException {
    try (ServerFixture named =
        new ServerFixture(b -> b.withAllowedHosts(List.of("HFI.Internal")))) {
      assertThat(get(named, "/healthz", "hfi.internal:8080")).startsWith("HTTP/1.1 200");
    }
    try (ServerFixture withToken = new ServerFixture(b -> b.withToken("t"))) {
      assertThat(get(withToken, "/healthz", "anything.example")).startsWith("HTTP/1.1 200");
    }
    try (ServerFixture everyInterface = new ServerFixture(b -> b.withBindAddress("0.0.0.0"))) {
      assertThat(get(everyInterface, "/healthz", "hfi-control-plane.hfi-system.svc"))
          .startsWith("HTTP/1.1 200");
    }
  }

  /** A raw request, so that the Host header is exactly the one given. */
  private static String get(ServerFixture f, String path, String host) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", f.uri.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
