package dev.hfi.cli.internal;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * {@code --log-format} of the commands that serve. {@code text} (the default) writes plain lines on
 * stderr, with the per-request access log off; {@code json} writes one JSON object per line on
 * stdout (Logstash's layout: {@code @timestamp}, {@code level}, {@code logger_name}, {@code
 * message} and the access log's fields), for log collectors in containers and clusters. Choosing
 * {@code json} reconfigures logging for the whole JVM: it is meant for the {@code hfi} process, not
 * for {@link dev.hfi.cli.Hfi#run} calls inside another program.
 */
final class LogOptions {
  /** The formats. */
  enum Format {
    text,
    json
  }

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description =
          "${COMPLETION-CANDIDATES}: plain lines on stderr (default), or one JSON object per line"
              + " on stdout with every request logged.")
  Format format;

  /** Applies the format; call before the server starts. */
  void apply() {
    if (format != Format.json) {
      return;
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    context.reset();
    try {
      configurator.doConfigure(LogOptions.class.getResource("/dev/hfi/cli/logback-json.xml"));
    } catch (JoranException e) {
      throw new IllegalStateException("dev/hfi/cli/logback-json.xml is broken", e);
    }
  }
}
