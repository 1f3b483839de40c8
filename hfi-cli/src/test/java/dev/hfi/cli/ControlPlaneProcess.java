package dev.hfi.cli;

import dev.hfi.testsupport.FreePorts;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code hfi control-plane} in a child JVM on the test classpath, so a test can kill it with
 * SIGKILL and start it again on the same port. It is ready when it logs that it listens (an event
 * read from its output); its output goes to {@code target/control-plane-<port>.log}.
 */
final class ControlPlaneProcess implements AutoCloseable {
  private final int port;
  private final List<String> args;
  private Process process;

  private ControlPlaneProcess(int port, List<String> args) {
    this.port = port;
    this.args = args;
  }

  /** Starts a replica on a free port with these extra arguments. */
  static ControlPlaneProcess start(String... args) {
    ControlPlaneProcess p = new ControlPlaneProcess(FreePorts.pick(1).get(0), List.of(args));
    p.launch();
    return p;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL, and wait until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      throw new IllegalStateException("control plane pid " + process.pid() + " did not die");
    }
  }

  /** Starts it again on the same port with the same arguments. */
  void restart() {
    launch();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill();
    }
  }

  private void launch() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(classpath());
    command.add(Hfi.class.getName());
    command.add("control-plane");
    command.add("--port");
    command.add(Integer.toString(port));
    command.addAll(args);
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Process p = process;
    Thread pump = new Thread(() -> pump(p, ready), "control-plane-log-" + port);
    pump.setDaemon(true);
    pump.start();
    try {
      ready.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "control plane on port " + port + " did not start; see " + logFile(), e);
    }
  }

  private void pump(Process p, CompletableFuture<Void> ready) {
    try (BufferedReader in =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer log =
            Files.newBufferedWriter(
                logFile(), StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        log.write(line);
        log.write('\n');
        log.flush();
        if (line.contains("control plane listening on")) {
          ready.complete(null);
        }
      }
    } catch (IOException e) {
      ready.completeExceptionally(e);
    }
    ready.completeExceptionally(new IllegalStateException("exited before listening"));
  }

  private Path logFile() {
    return Path.of("target", "control-plane-" + port + ".log");
  }

  /**
   * The test classpath: the JVM's own under surefire/failsafe; the class loader's under {@code
   * exec:java}, which runs the benchmark inside Maven's JVM.
   */
  private static String classpath() {
    if (ControlPlaneProcess.class.getClassLoader() instanceof URLClassLoader loader
        && loader.getURLs().length > 0) {
      List<String> entries = new ArrayList<>();
      for (URL url : loader.getURLs()) {
        try {
          entries.add(Path.of(url.toURI()).toString());
        } catch (URISyntaxException e) {
          throw new IllegalStateException("classpath entry " + url, e);
        }
      }
      return String.join(File.pathSeparator, entries);
    }
    return System.getProperty("java.class.path");
  }
}
