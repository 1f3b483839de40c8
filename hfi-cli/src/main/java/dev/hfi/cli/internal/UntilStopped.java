package dev.hfi.cli.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Blocks a serving command until Ctrl-C (JVM shutdown) or until its thread is interrupted (a
 * program running the command in-process stops it that way), then lets the command close what it
 * started before the JVM goes on exiting.
 */
final class UntilStopped {
  private static final long CLOSE_GRACE_SECONDS = 10;

  private UntilStopped() {}

  /** Something to close once stopped. */
  @FunctionalInterface
  interface Resource {
    void close();
  }

  /** Waits, then closes {@code resource}; returns normally in both cases. */
  static void await(Resource resource) {
    Thread serving = Thread.currentThread();
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              serving.interrupt();
              try {
                closed.await(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "hfi-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException stop) {
      // The expected way out.
    } finally {
      try {
        resource.close();
      } finally {
        closed.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // Stopped by the hook itself: it is already running.
        }
      }
    }
  }
}
