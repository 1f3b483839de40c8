package dev.hfi.testsupport;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real etcd server in a child process (a single member, or one member of a {@link #cluster}),
 * listening on free loopback ports, for tests and for the JUnit extension's ETCD mode. No Docker:
 * it runs the {@code etcd} binary (Debian's {@code etcd-server} package; {@code ci/install-deps.sh}
 * installs it).
 *
 * <p>{@link #start()} returns once etcd logs that it serves clients (an event read from its log,
 * not a sleep). {@link #kill()} and {@link #restart()} keep the data directory and the ports, so
 * outage tests can take etcd away and bring the same cluster back. {@link #close()} kills the
 * process (by its pid) and deletes the data directory. The binary is {@code $HFI_ETCD_BIN}, else
 * {@code etcd} on the {@code PATH}; etcd's output goes to {@code etcd.log} beside the data
 * directory.
 *
 * <p>Not thread-safe: one owner starts, kills and closes it.
 *
 * <pre>{@code
 * try (EtcdProcess etcd = EtcdProcess.start()) {
 *   PolicyStore store = EtcdPolicyStore.builder().withEndpoints(etcd.endpoint()).build();
 * }
 * }</pre>
 */
public final class EtcdProcess implements AutoCloseable {
  private static final String READY = "ready to serve client requests";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final String name;
  private final int clientPort;
  private final int peerPort;
  private String initialCluster;
  private Process process;

  private EtcdProcess(String name, int clientPort, int peerPort) {
    try {
      this.dir = Files.createTempDirectory("hfi-etcd-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare an etcd data directory", e);
    }
    this.name = name;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.initialCluster = name + "=" + peerUrl();
  }

  /** Starts etcd on free loopback ports with a fresh data directory. */
  public static EtcdProcess start() {
    List<Integer> ports = FreePorts.pick(2);
    EtcdProcess etcd = new EtcdProcess("default", ports.get(0), ports.get(1));
    etcd.await(etcd.spawn());
    return etcd;
  }

  /**
   * Starts a cluster of {@code size} members ({@code m0}, {@code m1}, ...) on free loopback ports,
   * all at once (a member serves only once a quorum is up), and returns them once every one serves.
   * Each member is killed, restarted and closed on its own, like a single server.
   */
  public static List<EtcdProcess> cluster(int size) {
    List<Integer> ports = FreePorts.pick(2 * size);
    List<EtcdProcess> members = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      members.add(new EtcdProcess("m" + i, ports.get(2 * i), ports.get(2 * i + 1)));
    }
    StringJoiner cluster = new StringJoiner(",");
    members.forEach(m -> cluster.add(m.name + "=" + m.peerUrl()));
    try {
      List<CompletableFuture<Void>> ready = new ArrayList<>();
      for (EtcdProcess m : members) {
        m.initialCluster = cluster.toString();
        ready.add(m.spawn());
      }
      for (int i = 0; i < size; i++) {
        members.get(i).await(ready.get(i));
      }
      return members;
    } catch (RuntimeException e) {
      members.forEach(EtcdProcess::close);
      throw e;
    }
  }

  /**
   * The client URLs of {@code members}, comma-separated, as {@code --etcd-endpoints} takes them.
   */
  public static String endpoints(List<EtcdProcess> members) {
    StringJoiner out = new StringJoiner(",");
    members.forEach(m -> out.add(m.endpoint().toString()));
    return out.toString();
  }

  /** The client URL, {@code http://127.0.0.1:<port>}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + clientPort);
  }

  /** The pid of the running etcd, or -1 when it is not running. */
  public long pid() {
    return isRunning() ? process.pid() : -1;
  }

  /** Whether the etcd process is alive. */
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Kills etcd with SIGKILL and waits until it has exited; the data directory stays. */
  public void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new HfiException(ErrorCode.INTERNAL, "etcd pid " + process.pid() + " did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HfiException(ErrorCode.INTERNAL, "interrupted while killing etcd", e);
    }
    process = null;
  }

  /**
   * Starts etcd again on the same ports and data directory (after {@link #kill()}); a cluster
   * member rejoins its cluster.
   */
  public void restart() {
    if (isRunning()) {
      throw new IllegalStateException("etcd is still running (pid " + process.pid() + ")");
    }
    await(spawn());
  }

  /** Kills etcd and deletes its data directory. */
  @Override
  public void close() {
    kill();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  private String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  /** Starts the process; the future completes when it serves clients. */
  private CompletableFuture<Void> spawn() {
    String peer = peerUrl();
    String client = endpoint().toString();
    String binary = System.getenv().getOrDefault("HFI_ETCD_BIN", "etcd");
    List<String> command =
        List.of(
            binary,
            "--name",
            name,
            "--data-dir",
            dir.resolve("data").toString(),
            "--listen-client-urls",
            client,
            "--advertise-client-urls",
            client,
            "--listen-peer-urls",
            peer,
            "--initial-advertise-peer-urls",
            peer,
            "--initial-cluster",
            initialCluster);
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new HfiException(
          ErrorCode.INTERNAL,
          "cannot run etcd ("
              + binary
              + "): "
              + e.getMessage()
              + "; install Debian's etcd-server (ci/install-deps.sh does) or set HFI_ETCD_BIN",
          e);
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread pump = new Thread(() -> pump(p, ready), "hfi-etcd-log-" + clientPort);
    pump.setDaemon(true);
    pump.start();
    process = p;
    return ready;
  }

  /** Waits until the process spawned serves clients; kills it if it does not in time. */
  private void await(CompletableFuture<Void> ready) {
    Process p = process;
    String client = endpoint().toString();
    try {
      ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      p.destroyForcibly();
      process = null;
      throw new HfiException(
          ErrorCode.INTERNAL,
          "etcd did not become ready on "
              + client
              + " within "
              + START_TIMEOUT.toSeconds()
              + "s; see "
              + dir.resolve("etcd.log"),
          e);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      process = null;
      Thread.currentThread().interrupt();
      throw new HfiException(ErrorCode.INTERNAL, "interrupted while starting etcd", e);
    }
  }

  /** Copies etcd's output to etcd.log and completes {@code ready} when it serves clients. */
  private void pump(Process p, CompletableFuture<Void> ready) {
    try (BufferedReader in =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer log =
            Files.newBufferedWriter(
                dir.resolve("etcd.log"), StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        log.write(line);
        log.write('\n');
        if (!ready.isDone() && line.contains(READY)) {
          log.flush();
          ready.complete(null);
        }
      }
    } catch (IOException e) {
      ready.completeExceptionally(e);
    }
    ready.completeExceptionally(new IOException("etcd exited with code " + exitCode(p)));
  }

  private static String exitCode(Process p) {
    try {
      return Integer.toString(p.waitFor());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
