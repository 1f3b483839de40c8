package dev.hfi.testkit;

import dev.hfi.testkit.internal.JournalLines;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The requests a data plane's filters journaled, oldest first (docs/FILTER.md, "Request journal"),
 * like WireMock's request journal. Every request answered before a read is in it: a read first
 * catches up with the data plane (the embedded one hands entries over as they are written; Envoy's
 * log file is read up to its end; a container's log stream up to a barrier the filter writes on
 * request).
 *
 * <p>A {@link #mark()} is a position; {@link #since(long)} gives what came after it, e.g. the
 * requests of one test. The journal keeps the last {@value #CAPACITY} entries. Thread-safe.
 *
 * <pre>{@code
 * long mark = dataPlane.journal().mark();
 * client.call(dataPlane.proxyUri("orders"));
 * List<JournaledRequest> mine = dataPlane.journal().since(mark);
 * }</pre>
 */
public final class RequestJournal {
  /** Entries kept; older ones are dropped. */
  public static final int CAPACITY = 10_000;

  private final Runnable catchUp;
  private final Function<String, String> upstreamOfNode;
  private final List<JournaledRequest> entries = new ArrayList<>();
  private long dropped;

  /**
   * @param catchUp brings every entry written so far in (through {@link #accept}); runs before each
   *     read
   * @param upstreamOfNode the upstream whose filter reports as a node
   */
  public RequestJournal(Runnable catchUp, Function<String, String> upstreamOfNode) {
    this.catchUp = catchUp;
    this.upstreamOfNode = upstreamOfNode;
  }

  /**
   * Takes one line of the data plane's log: a journal entry is added, anything else ignored.
   *
   * @return whether the line was a journal entry
   */
  public boolean accept(String logLine) {
    JournaledRequest r = JournalLines.parse(logLine, upstreamOfNode);
    if (r == null) {
      return false;
    }
    synchronized (entries) {
      entries.add(r);
      if (entries.size() > CAPACITY) {
        entries.remove(0);
        dropped++;
      }
    }
    return true;
  }

  /** The position after every request answered so far. */
  public long mark() {
    catchUp.run();
    synchronized (entries) {
      return dropped + entries.size();
    }
  }

  /** The requests after {@code mark}, oldest first (an immutable copy). */
  public List<JournaledRequest> since(long mark) {
    catchUp.run();
    synchronized (entries) {
      int from = (int) Math.max(0, Math.min(entries.size(), mark - dropped));
      return List.copyOf(entries.subList(from, entries.size()));
    }
  }

  /** Every request kept, oldest first. */
  public List<JournaledRequest> all() {
    return since(0);
  }
}
