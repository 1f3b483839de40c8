package dev.hfi.testkit.internal;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of a data plane that runs Envoy (a local process or a container) on top of those
 * every data plane takes, kept and checked once for both. Not thread-safe.
 *
 * @param <B> the data plane's builder
 */
public abstract class EnvoySettings<B extends EnvoySettings<B>> extends DataPlaneSettings<B> {
  /** What Envoy's {@code --log-level} accepts. */
  public static final Set<String> LOG_LEVELS =
      Set.of("trace", "debug", "info", "warning", "warn", "error", "critical", "off");

  private int concurrency = 2;
  private String logLevel = "info";

  protected EnvoySettings(Duration defaultReadyTimeout) {
    super(defaultReadyTimeout);
  }

  /** Envoy's {@code --concurrency}: worker threads, each with its own filter VM; default 2. */
  public B withConcurrency(int workers) {
    this.concurrency = workers;
    return self();
  }

  /** Envoy's {@code --log-level}: trace, debug, info (default), warning, error, critical, off. */
  public B withLogLevel(String level) {
    this.logLevel = level;
    return self();
  }

  public int concurrency() {
    return concurrency;
  }

  public String logLevel() {
    return logLevel;
  }

  @Override
  protected List<String> problems() {
    List<String> errors = super.problems();
    String badConcurrency = concurrencyProblem(concurrency);
    if (badConcurrency != null) {
      errors.add(badConcurrency);
    }
    String badLogLevel = logLevelProblem(logLevel);
    if (badLogLevel != null) {
      errors.add(badLogLevel);
    }
    return errors;
  }

  /** What is wrong with {@code withConcurrency(workers)}, or null. */
  public static String concurrencyProblem(int workers) {
    return workers < 1
        ? "withConcurrency(" + workers + "): Envoy needs at least 1 worker thread"
        : null;
  }

  /** What is wrong with {@code withLogLevel(level)}, or null. */
  public static String logLevelProblem(String level) {
    return level == null || !LOG_LEVELS.contains(level)
        ? "withLogLevel(\""
            + level
            + "\"): not an Envoy log level; use one of "
            + new TreeSet<>(LOG_LEVELS)
        : null;
  }
}
