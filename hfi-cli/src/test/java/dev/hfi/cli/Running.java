package dev.hfi.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A long-running {@code hfi} command (serve, watch) on its own thread. Its output is captured, and
 * {@link #awaitOut}/{@link #awaitErr} complete when a line matching a pattern is written (an event,
 * not a poll). {@link #stop()} interrupts the command the way Ctrl-C does and returns its exit
 * code.
 */
final class Running implements AutoCloseable {
  private final Signalling out = new Signalling();
  private final Signalling err = new Signalling();
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final Thread thread;

  private Running(Map<String, String> env, String... args) {
    thread =
        new Thread(
            () -> {
              try {
                exit.complete(
                    Hfi.run(
                        new ByteArrayInputStream(new byte[0]),
                        new PrintWriter(out, true),
                        new PrintWriter(err, true),
                        env,
                        args));
              } catch (Throwable t) {
                exit.completeExceptionally(t);
              }
            },
            "hfi " + String.join(" ", args));
    thread.setDaemon(true);
  }

  static Running start(Map<String, String> env, String... args) {
    Running r = new Running(env, args);
    r.thread.start();
    return r;
  }

  /** The first match of {@code regex} in a stdout line, once such a line is written. */
  Matcher awaitOut(String regex, Duration timeout) throws Exception {
    return await(out, regex, timeout);
  }

  /** The first match of {@code regex} in a stderr line, once such a line is written. */
  Matcher awaitErr(String regex, Duration timeout) throws Exception {
    return await(err, regex, timeout);
  }

  private Matcher await(Signalling w, String regex, Duration timeout) throws Exception {
    Pattern p = Pattern.compile(regex);
    CompletableFuture<String> line = w.when(l -> p.matcher(l).find());
    CompletableFuture.anyOf(line, exit).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!line.isDone()) {
      throw new AssertionError(
          "the command ended with " + exit.get() + " before printing /" + regex + "/:\n" + this);
    }
    Matcher m = p.matcher(line.get());
    m.find();
    return m;
  }

  String out() {
    return out.text();
  }

  String err() {
    return err.text();
  }

  /** Interrupts the command (as Ctrl-C would) and returns its exit code. */
  int stop() throws Exception {
    thread.interrupt();
    return exit.get(30, TimeUnit.SECONDS);
  }

  /** The exit code of a command that ends by itself. */
  int exitCode(Duration timeout) throws Exception {
    return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws Exception {
    if (!exit.isDone()) {
      stop();
    }
  }

  @Override
  public String toString() {
    return "--- stdout\n" + out.text() + "--- stderr\n" + err.text();
  }

  /** Collects text and completes waiters when a whole line satisfies their condition. */
  private static final class Signalling extends Writer {
    private final StringWriter text = new StringWriter();
    private final StringBuilder line = new StringBuilder();
    private final java.util.List<Waiter> waiters = new java.util.ArrayList<>();
    private final java.util.List<String> lines = new java.util.ArrayList<>();

    private record Waiter(Predicate<String> condition, CompletableFuture<String> future) {}

    synchronized CompletableFuture<String> when(Predicate<String> condition) {
      CompletableFuture<String> f = new CompletableFuture<>();
      for (String l : lines) {
        if (condition.test(l)) {
          f.complete(l);
          return f;
        }
      }
      waiters.add(new Waiter(condition, f));
      return f;
    }

    synchronized String text() {
      return text.toString();
    }

    @Override
    public synchronized void write(char[] buf, int off, int len) {
      text.write(buf, off, len);
      for (int i = off; i < off + len; i++) {
        char c = buf[i];
        if (c == '\n') {
          String l = line.toString();
          line.setLength(0);
          lines.add(l);
          waiters.removeIf(
              w -> {
                if (w.condition().test(l)) {
                  w.future().complete(l);
                  return true;
                }
                return false;
              });
        } else if (c != '\r') {
          line.append(c);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
