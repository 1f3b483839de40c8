package dev.hfi.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one external command (docker, docker-compose, curl, the hfi launcher) to completion. */
final class ComposeCommand {
  /** What a command printed and how it ended. */
  record Result(List<String> command, int exitCode, String stdout, String stderr, Duration took) {
    Result requireSuccess() {
      if (exitCode != 0) {
        throw new AssertionError(describe("failed"));
      }
      return this;
    }

    String describe(String what) {
      return String.join(" ", command)
          + " "
          + what
          + " (exit code "
          + exitCode
          + ", "
          + took.toMillis()
          + " ms)\n--- stdout\n"
          + stdout
          + "--- stderr\n"
          + stderr;
    }
  }

  private ComposeCommand() {}

  static Result run(Path dir, Map<String, String> env, Duration timeout, List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().putAll(env);
    Path out = temp("out");
    Path err = temp("err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    long start = System.nanoTime();
    try {
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(
            String.join(" ", command) + " did not finish within " + timeout + "\n" + read(err));
      }
      return new Result(
          List.copyOf(command),
          p.exitValue(),
          read(out),
          read(err),
          Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + String.join(" ", command), e);
    } finally {
      out.toFile().delete();
      err.toFile().delete();
    }
  }

  static Result run(Path dir, Map<String, String> env, Duration timeout, String... command) {
    return run(dir, env, timeout, new ArrayList<>(List.of(command)));
  }

  private static Path temp(String suffix) {
    try {
      return java.nio.file.Files.createTempFile("hfi-compose-", "." + suffix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) throws IOException {
    return java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
  }
}
