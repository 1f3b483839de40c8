package dev.hfi.wasmhost.internal;

import dev.hfi.wasmhost.FilterLog;
import java.lang.System.Logger;

/** The default {@link FilterLog}: the JDK's platform logger (java.util.logging unless bridged). */
public final class SystemFilterLog implements FilterLog {
  private final Logger logger;

  public SystemFilterLog(String name) {
    this.logger = System.getLogger(name);
  }

  @Override
  public Level level() {
    for (Level l : Level.values()) {
      if (logger.isLoggable(platform(l))) {
        return l;
      }
    }
    return Level.CRITICAL;
  }

  @Override
  public void log(Level level, String message) {
    logger.log(platform(level), message);
  }

  private static Logger.Level platform(Level level) {
    return switch (level) {
      case TRACE -> Logger.Level.TRACE;
      case DEBUG -> Logger.Level.DEBUG;
      case INFO -> Logger.Level.INFO;
      case WARN -> Logger.Level.WARNING;
      case ERROR, CRITICAL -> Logger.Level.ERROR;
    };
  }
}
