package dev.hfi.controlplane;

import dev.hfi.client.HfiException;
import dev.hfi.client.internal.Durations;
import dev.hfi.controlplane.internal.StoreOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * Runs the control plane until SIGTERM or Ctrl-C, logging JSON lines; the memory store by default,
 * etcd with {@code --store etcd --etcd-endpoints URL,..} (then replicas on the same etcd serve one
 * truth and elect one of them to expire policies).
 *
 * <pre>
 * mvn -pl hfi-control-plane exec:java -Dexec.args="--port 8080 --bind 127.0.0.1"
 * options: --port N (8080, 0 = free) --bind ADDR (127.0.0.1) --token T (or env HFI_TOKEN)
 *          --stale-after DURATION (90s) --node-expiry DURATION (10m) --max-body-bytes N (1048576)
 *          --no-expirer
 *          --store memory|etcd --etcd-endpoints URL,.. --etcd-prefix /hfi/ --etcd-user U
 *          --etcd-password P (or env HFI_ETCD_PASSWORD) --etcd-ca F --etcd-cert F --etcd-key F
 *          --etcd-lease-ttl 10s --etcd-timeout 2s
 * </pre>
 */
public final class ControlPlaneMain {
  private ControlPlaneMain() {}

  /** Entry point; exit code 2 on bad arguments, 1 when the server cannot start. */
  public static void main(String[] args) throws InterruptedException {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "dev/hfi/controlplane/logback-json.xml");
    }
    ControlPlaneServer.Builder builder = ControlPlaneServer.builder();
    String token = System.getenv("HFI_TOKEN");
    StoreOptions stores = new StoreOptions();
    PolicyStore store;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--port" -> builder.withPort(Integer.parseInt(value(args, ++i, a)));
          case "--bind" -> builder.withBindAddress(value(args, ++i, a));
          case "--token" -> token = value(args, ++i, a);
          case "--stale-after" -> builder.withStaleAfter(duration(value(args, ++i, a), a));
          case "--node-expiry" -> builder.withNodeExpiry(duration(value(args, ++i, a), a));
          case "--max-body-bytes" -> builder.withMaxBodyBytes(Long.parseLong(value(args, ++i, a)));
          case "--no-expirer" -> builder.withExpirer(false);
          case "--help", "-h" -> {
            usage(System.out);
            return;
          }
          default -> {
            if (!StoreOptions.isStoreOption(a)) {
              throw new IllegalArgumentException("unknown option " + a);
            }
            stores.set(a, value(args, ++i, a));
          }
        }
      }
      store = stores.build(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("hfi-control-plane: " + e.getMessage());
      usage(System.err);
      System.exit(2);
      return;
    }
    ControlPlaneServer server;
    try {
      server = builder.withToken(token).withStore(store).build().start();
    } catch (HfiException | IllegalArgumentException e) {
      System.err.println("hfi-control-plane: " + e.getMessage());
      store.close();
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LoggerFactory.getLogger(ControlPlaneMain.class).info("stopping");
                  server.close();
                  store.close();
                  stopped.countDown();
                },
                "hfi-shutdown"));
    stopped.await();
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static Duration duration(String text, String option) {
    Duration d = Durations.parse(text);
    if (d == null) {
      throw new IllegalArgumentException(option + ": expected a duration such as 90s, got " + text);
    }
    return d;
  }

  private static void usage(PrintStream out) {
    out.println(
        "usage: ControlPlaneMain [--port 8080] [--bind 127.0.0.1] [--token T] [--stale-after 90s]"
            + " [--node-expiry 10m] [--max-body-bytes 1048576] [--no-expirer] [--store memory|etcd]"
            + " [--etcd-endpoints URL,..] [--etcd-prefix /hfi/] [--etcd-user U] [--etcd-password P]"
            + " [--etcd-ca FILE] [--etcd-cert FILE --etcd-key FILE] [--etcd-lease-ttl 10s]"
            + " [--etcd-timeout 2s]");
    StoreOptions.OPTIONS.forEach((o, help) -> out.println("  " + o + "  " + help));
  }
}
