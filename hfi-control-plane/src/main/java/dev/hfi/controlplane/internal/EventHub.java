package dev.hfi.controlplane.internal;

import dev.hfi.client.ControlPlaneEvent;
import dev.hfi.client.internal.Json;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fans {@link ControlPlaneEvent}s out to every {@code /v1/events} stream, each with a sequence id.
 */
public final class EventHub {
  private final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
  private final AtomicLong sequence = new AtomicLong();

  /** Sends {@code event} to every open stream; never blocks. */
  public synchronized void publish(ControlPlaneEvent event) {
    byte[] bytes =
        SseStream.event(Long.toString(sequence.incrementAndGet()), event.type(), Json.write(event));
    for (SseStream s : streams) {
      s.send(bytes);
    }
  }

  /** Adds a stream; it is removed when it closes. */
  public void add(SseStream stream) {
    streams.add(stream);
  }

  /** Removes a stream. */
  public void remove(SseStream stream) {
    streams.remove(stream);
  }

  /** Sends a heartbeat comment to every stream. */
  public synchronized void heartbeat(byte[] comment) {
    streams.forEach(s -> s.send(comment));
  }

  /** Open streams. */
  public int size() {
    return streams.size();
  }

  /** Ends every stream (server shutdown). */
  public void closeAll() {
    streams.forEach(SseStream::close);
  }
}
