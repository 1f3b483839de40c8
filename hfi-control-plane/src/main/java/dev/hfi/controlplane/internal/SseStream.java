package dev.hfi.controlplane.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import javax.servlet.AsyncContext;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;

/**
 * One open Server-Sent Events response, written without blocking (Servlet 3.1 {@link
 * WriteListener}): {@link #send} queues and returns, Jetty calls back when the socket can take
 * more. No thread waits on a client. A stream that falls more than {@code maxQueued} events behind
 * is closed (the client reconnects); a conflating stream keeps only the newest queued event,
 * because each rule set supersedes the previous one.
 */
public final class SseStream implements WriteListener, AsyncListener {
  private final AsyncContext context;
  private final ServletOutputStream out;
  private final boolean conflate;
  private final int maxQueued;
  private final Runnable onClose;
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private boolean dirty;
  private boolean completeWhenDrained;
  private boolean closed;

  /**
   * Takes over {@code context}'s response (status and headers must already be set).
   *
   * @param onClose runs once when the stream ends, however it ends
   */
  public SseStream(AsyncContext context, boolean conflate, int maxQueued, Runnable onClose)
      throws IOException {
    this.context = context;
    this.conflate = conflate;
    this.maxQueued = maxQueued;
    this.onClose = onClose;
    this.out = context.getResponse().getOutputStream();
    context.addListener(this);
    out.setWriteListener(this);
  }

  /** One SSE event; {@code id} may be null. {@code data} must be a single line. */
  public static byte[] event(String id, String name, String data) {
    StringBuilder sb = new StringBuilder(data.length() + 48);
    if (id != null) {
      sb.append("id: ").append(id).append('\n');
    }
    sb.append("event: ").append(name).append('\n');
    sb.append("data: ").append(data).append("\n\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** An SSE comment, used to commit headers and as heartbeat. */
  public static byte[] comment(String text) {
    return (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Queues bytes for the client; returns at once. */
  public void send(byte[] bytes) {
    synchronized (this) {
      if (closed || completeWhenDrained) {
        return;
      }
      if (conflate) {
        queue.clear();
      } else if (queue.size() >= maxQueued) {
        closeLocked();
        return;
      }
      queue.add(bytes);
    }
    drain();
  }

  /** Queues bytes, then ends the response once they are written. */
  public void sendAndComplete(byte[] bytes) {
    synchronized (this) {
      if (closed || completeWhenDrained) {
        return;
      }
      queue.add(bytes);
      completeWhenDrained = true;
    }
    drain();
  }

  /** Ends the response, dropping what is still queued. */
  public void close() {
    synchronized (this) {
      closeLocked();
    }
  }

  private synchronized void drain() {
    try {
      while (!closed && out.isReady()) {
        byte[] next = queue.poll();
        if (next != null) {
          out.write(next);
          dirty = true;
        } else if (dirty) {
          dirty = false;
          out.flush();
        } else {
          if (completeWhenDrained) {
            closeLocked();
          }
          return;
        }
      }
    } catch (IOException | IllegalStateException e) {
      closeLocked();
    }
  }

  private void closeLocked() {
    if (closed) {
      return;
    }
    closed = true;
    queue.clear();
    try {
      context.complete();
    } catch (IllegalStateException alreadyCompleted) {
      // The container ended the request first (client gone, server stopping): nothing to end.
    } finally {
      onClose.run();
    }
  }

  @Override
  public void onWritePossible() {
    drain();
  }

  @Override
  public void onError(Throwable t) {
    close();
  }

  @Override
  public void onComplete(AsyncEvent event) {
    synchronized (this) {
      if (!closed) {
        closed = true;
        queue.clear();
        onClose.run();
      }
    }
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    close();
  }

  @Override
  public void onError(AsyncEvent event) {
    close();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {}
}
