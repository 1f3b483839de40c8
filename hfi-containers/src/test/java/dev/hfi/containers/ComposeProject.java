package dev.hfi.containers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One compose project of deploy/compose/ under a unique name, driven through the compose command
 * line users run: {@code docker compose} (v2) when the docker CLI has it, else {@code
 * docker-compose} (v1), or the command in {@code -Dhfi.compose} (e.g. {@code docker-compose}).
 * Health is waited for on Docker's own {@code health_status} events, not by polling.
 */
final class ComposeProject implements AutoCloseable {
  static final Path DIR = Path.of("../deploy/compose").toAbsolutePath().normalize();
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);

  private final String name;
  private final List<String> compose;
  private final Map<String, String> env;

  ComposeProject(String name, Map<String, String> env) {
    this.name = name;
    this.compose = composeCommand();
    this.env = Map.copyOf(env);
  }

  String name() {
    return name;
  }

  /** {@code docker compose version} or {@code docker-compose version}, for the report. */
  String version() {
    List<String> cmd = new ArrayList<>(compose);
    cmd.add("version");
    return ComposeCommand.run(DIR, env, COMMAND_TIMEOUT, cmd).requireSuccess().stdout().trim();
  }

  /** Runs {@code compose -p NAME ARGS...} in deploy/compose/, failing on a non-zero exit. */
  ComposeCommand.Result compose(String... args) {
    return composeAllowingFailure(args).requireSuccess();
  }

  ComposeCommand.Result composeAllowingFailure(String... args) {
    List<String> cmd = new ArrayList<>(compose);
    cmd.addAll(List.of("-p", name));
    cmd.addAll(List.of(args));
    return ComposeCommand.run(DIR, env, COMMAND_TIMEOUT, cmd);
  }

  /**
   * {@code up -d} (building the sample service), then blocks until every given service's container
   * reports healthy. Subscribes to Docker's health events before {@code up}, so no transition is
   * missed; returns how long it took from {@code up} to all healthy.
   */
  Duration upAndAwaitHealthy(Duration timeout, String... services) {
    long start = System.nanoTime();
    try (HealthEvents events = new HealthEvents()) {
      compose("up", "-d", "--build");
      Set<String> waiting = new TreeSet<>(List.of(services));
      waiting.removeIf(this::healthyNow);
      long deadline = start + timeout.toNanos();
      while (!waiting.isEmpty()) {
        String service = events.next(deadline - System.nanoTime());
        if (service == null) {
          throw new AssertionError(
              "project "
                  + name
                  + ": not healthy within "
                  + timeout
                  + ": "
                  + waiting
                  + "\n"
                  + composeAllowingFailure("ps").stdout()
                  + composeAllowingFailure("logs", "--tail", "30").stdout());
        }
        waiting.remove(service);
      }
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** The container id of a service (its only replica). */
  String containerId(String service) {
    String id = compose("ps", "-q", service).stdout().trim();
    if (id.isEmpty()) {
      throw new AssertionError("project " + name + " has no container for service " + service);
    }
    return id;
  }

  private boolean healthyNow(String service) {
    String id = compose("ps", "-q", service).stdout().trim();
    if (id.isEmpty()) {
      return false;
    }
    String status =
        ComposeCommand.run(
                DIR,
                env,
                COMMAND_TIMEOUT,
                "docker",
                "inspect",
                "--format",
                "{{if .State.Health}}{{.State.Health.Status}}{{end}}",
                id)
            .requireSuccess()
            .stdout()
            .trim();
    return status.equals("healthy");
  }

  /** {@code down}; with {@code volumes}, {@code down -v} (the etcd data goes too). */
  void down(boolean volumes) {
    if (volumes) {
      compose("down", "-v", "--remove-orphans");
    } else {
      compose("down", "--remove-orphans");
    }
  }

  /** Always leaves nothing behind: containers, network and the project's volume. */
  @Override
  public void close() {
    composeAllowingFailure("down", "-v", "--remove-orphans");
  }

  private static List<String> composeCommand() {
    String configured = System.getProperty("hfi.compose", "");
    if (!configured.isBlank()) {
      return List.of(configured.trim().split("\\s+"));
    }
    ComposeCommand.Result v2 =
        ComposeCommand.run(
            DIR, Map.of(), Duration.ofSeconds(30), "docker", "compose", "version", "--short");
    return v2.exitCode() == 0 ? List.of("docker", "compose") : List.of("docker-compose");
  }

  /** {@code docker events} for this project's health transitions to healthy, by service name. */
  private final class HealthEvents implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> healthy = new LinkedBlockingQueue<>();

    HealthEvents() {
      try {
        ProcessBuilder pb =
            new ProcessBuilder(
                    "docker",
                    "events",
                    "--filter",
                    "event=health_status",
                    "--filter",
                    "label=com.docker.compose.project=" + name,
                    "--format",
                    "{{index .Actor.Attributes \"com.docker.compose.service\"}} {{.Status}}")
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        process = pb.start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot run docker events", e);
      }
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.endsWith(" health_status: healthy")) {
                      healthy.add(line.substring(0, line.indexOf(' ')));
                    }
                  }
                } catch (IOException e) {
                  // the stream ends when close() stops docker events
                }
              },
              "compose-health-events");
      reader.setDaemon(true);
      reader.start();
      // A service that turned healthy before the subscription took hold is caught by
      // healthyNow(), which runs after up.
    }

    String next(long nanos) {
      try {
        return nanos <= 0 ? healthy.poll() : healthy.poll(nanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for health events", e);
      }
    }

    @Override
    public void close() {
      process.destroy();
    }
  }
}
