package dev.hfi.wasmhost;

/**
 * Where a VM's log goes: the filter's own lines ({@code proxy_log}) and the VM's errors (a trap, a
 * failed tick). Implementations must be thread-safe.
 *
 * <pre>{@code
 * FilterLog stderr = new FilterLog() {
 *   public Level level() { return Level.INFO; }
 *   public void log(Level level, String message) { System.err.println(level + " " + message); }
 * };
 * }</pre>
 */
public interface FilterLog {

  /** Proxy-wasm's log levels. */
  enum Level {
    TRACE,
    DEBUG,
    INFO,
    WARN,
    ERROR,
    CRITICAL
  }

  /**
   * The least severe level that is written; the filter does not even build the messages below it.
   */
  Level level();

  void log(Level level, String message);
}
