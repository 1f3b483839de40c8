package dev.hfi.wasmhost.internal;

import dev.hfi.wasmhost.FilterLog;
import io.roastedroot.proxywasm.LogHandler;
import io.roastedroot.proxywasm.LogLevel;

/** The host's log calls, into a {@link FilterLog}. */
public final class LogAdaptor implements LogHandler {
  private final FilterLog log;

  public LogAdaptor(FilterLog log) {
    this.log = log;
  }

  @Override
  public void log(LogLevel level, String message) {
    log.log(FilterLog.Level.valueOf(level.name()), message);
  }

  @Override
  public LogLevel getLogLevel() {
    return LogLevel.valueOf(log.level().name());
  }
}
