package dev.hfi.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The CLI's duration options read the grammar of {@code dev.hfi.client.Durations}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DurationOptionsTest {

  private static CommandLine.ParseResult parse(Map<String, String> env, String... args) {
    return HfiCommand.commandLine(
            new ByteArrayInputStream(new byte[0]),
            new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()),
            env)
        .parseArgs(args);
  }

  @Test
  void timeoutTakesCompoundAndDecimalDurations() {
    CommandLine.ParseResult r = parse(Map.of(), "--timeout", "1m30s", "nodes");
    assertThat(((HfiCommand) r.commandSpec().userObject()).timeout())
        .isEqualTo(Duration.ofSeconds(90));
    r = parse(Map.of(), "--timeout", "1.5s", "nodes");
    assertThat(((HfiCommand) r.commandSpec().userObject()).timeout())
        .isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void controlPlaneDurationsTakeCompoundDurationsFromArgumentsAndEnvironment() {
    CommandLine.ParseResult r =
        parse(
            Map.of("HFI_NODE_EXPIRY", "1h30m"),
            "control-plane",
            "--stale-after",
            "1m30s",
            "--etcd-lease-ttl",
            "1m30s",
            "--etcd-timeout",
            "2.5s");
    ControlPlaneCommand cp = (ControlPlaneCommand) r.subcommand().commandSpec().userObject();
    assertThat(cp.staleAfter).isEqualTo(Duration.ofSeconds(90));
    assertThat(cp.nodeExpiry).isEqualTo(Duration.ofMinutes(90));
    assertThat(cp.etcdLeaseTtl).isEqualTo(Duration.ofSeconds(90));
    assertThat(cp.etcdTimeout).isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void zeroIsRefusedAndIsoIsAnsweredWithTheGrammar() {
    DurationConverter c = new DurationConverter();
    assertThat(c.convert("1m30s")).isEqualTo(Duration.ofSeconds(90));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.convert("0"))
        .hasMessage("expected a positive duration such as 30s, got '0'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.convert("PT1M30S"))
        .hasMessage("\"PT1M30S\" is ISO-8601; write it as 1m30s");
  }
}
