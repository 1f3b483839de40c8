package dev.hfi.controlplane.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers items to one consumer in order, one at a time, on a shared executor. {@link #submit}
 * never blocks, so a slow consumer delays only itself.
 */
public final class SerialExecutor<T> {
  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

  private final Queue<T> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private final Executor executor;
  private final Consumer<T> consumer;
  private volatile boolean closed;

  /** Delivers to {@code consumer} on {@code executor}. */
  public SerialExecutor(Executor executor, Consumer<T> consumer) {
    this.executor = executor;
    this.consumer = consumer;
  }

  /** Queues {@code item}; returns at once. */
  public void submit(T item) {
    if (closed) {
      return;
    }
    queue.add(item);
    schedule();
  }

  /** Drops what is queued and delivers nothing more. */
  public void close() {
    closed = true;
    queue.clear();
  }

  private void schedule() {
    if (running.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
      } catch (RuntimeException rejected) {
        running.set(false);
        closed = true;
      }
    }
  }

  private void drain() {
    while (true) {
      T item;
      while (!closed && (item = queue.poll()) != null) {
        try {
          consumer.accept(item);
        } catch (RuntimeException e) {
          LOG.warn("listener failed", e);
        }
      }
      running.set(false);
      if (closed || queue.isEmpty() || !running.compareAndSet(false, true)) {
        return;
      }
    }
  }
}
