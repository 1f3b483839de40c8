package dev.hfi.testkit;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the {@link EmbeddedDataPlane} as a process ({@code hfi proxy} wraps it):
 *
 * <pre>
 * java dev.hfi.testkit.EmbeddedDataPlaneMain --listen 18000 --upstream http://127.0.0.1:8081 \
 *     [--node orders] [--control-plane http://127.0.0.1:8080] [--bind 127.0.0.1]
 * </pre>
 *
 * <p>It serves at once; the filter catches up with the control plane in the background (and keeps
 * retrying while it is unreachable). SIGTERM or SIGINT stops it cleanly. Exit codes: 0 stopped, 1
 * failed to start, 2 usage error.
 */
public final class EmbeddedDataPlaneMain {
  static final String USAGE =
      "usage: hfi proxy --listen PORT --upstream URL [--node NAME] [--control-plane URL]"
          + " [--bind ADDRESS] [--token TOKEN]";

  private EmbeddedDataPlaneMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, new CountDownLatch(1)));
  }

  /**
   * Starts the proxy, then blocks until the JVM shuts down or {@code stop} is counted down.
   *
   * @return the exit code
   */
  static int run(String[] args, PrintStream out, PrintStream err, CountDownLatch stop) {
    Integer listen = null;
    URI upstream = null;
    String node = "default";
    URI controlPlane = URI.create("http://127.0.0.1:8080");
    String bind = "127.0.0.1";
    String token = System.getenv("HFI_TOKEN");
    try {
      for (int i = 0; i < args.length; i++) {
        String option = args[i];
        if (option.equals("--help") || option.equals("-h")) {
          out.println(USAGE);
          return 0;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(option + " needs a value");
        }
        String value = args[++i];
        switch (option) {
          case "--listen" -> listen = port(value);
          case "--upstream" -> upstream = uri("--upstream", value);
          case "--node" -> node = value;
          case "--control-plane" -> controlPlane = uri("--control-plane", value);
          case "--bind" -> bind = value;
          case "--token" -> token = value;
          default -> throw new IllegalArgumentException("unknown option " + option);
        }
      }
      if (listen == null || upstream == null) {
        throw new IllegalArgumentException("--listen and --upstream are required");
      }
    } catch (IllegalArgumentException e) {
      err.println("hfi proxy: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }

    EmbeddedDataPlane proxy;
    try {
      proxy =
          EmbeddedDataPlane.builder()
              .withControlPlane(controlPlane)
              .withControlPlaneToken(token)
              .withBindAddress(bind)
              .withUpstream(node, upstream, listen)
              .withReadyTimeout(Duration.ZERO)
              .build()
              .start();
    } catch (TestkitException e) {
      err.println("hfi proxy: " + e.getMessage());
      return e.code() == TestkitException.Code.INVALID_CONFIGURATION ? 2 : 1;
    }
    Thread hook =
        new Thread(
            () -> {
              proxy.close();
              out.println("hfi proxy: stopped");
              out.flush();
              stop.countDown();
            },
            "hfi-proxy-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println(
        "hfi proxy: node "
            + node
            + " listening on "
            + proxy.proxyUri(node)
            + " -> "
            + upstream
            + ", control plane "
            + controlPlane);
    out.flush();
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    proxy.close();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down: the hook is running or has run.
    }
    return 0;
  }

  private static int port(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below with the accepted range
    }
    throw new IllegalArgumentException(
        "--listen " + value + ": must be a port in 0..65535 (0 = any free port)");
  }

  private static URI uri(String option, String value) {
    try {
      return URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          option + " " + value + ": not a URL; use e.g. http://127.0.0.1:8081");
    }
  }
}
