package dev.hfi.cli.internal;

import dev.hfi.client.ControlPlaneEvent;
import dev.hfi.client.HfiClient;
import dev.hfi.client.HfiException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hfi policy watch [--all-events]}: one line per change, from the control plane's events.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Print one line per policy change as it happens, until Ctrl-C.",
      "Lines look like: 2026-01-02T03:04:05Z policy orders-abort created revision=7"
    })
final class PolicyWatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--all-events",
      description =
          "Also print new rule sets and data-plane acknowledgements (ruleset, ack, nack, stale, removed).")
  boolean allEvents;

  @Override
  public Integer call() throws InterruptedException {
    HfiCommand root = HfiCommand.of(spec);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    CompletableFuture<Integer> ended = new CompletableFuture<>();
    try (HfiClient client = root.client();
        HfiClient.Subscription sub =
            client.subscribeEvents(
                new HfiClient.StreamListener<>() {
                  @Override
                  public void onOpen() {
                    err.println("watching " + client.baseUri() + " (Ctrl-C to stop)");
                    err.flush();
                  }

                  @Override
                  public void onEvent(ControlPlaneEvent e) {
                    if (allEvents || "policy".equals(e.type())) {
                      synchronized (out) {
                        out.println(line(e));
                        out.flush();
                      }
                    }
                  }

                  @Override
                  public void onError(HfiException error) {
                    ended.completeExceptionally(error);
                  }

                  @Override
                  public void onClosed() {
                    ended.completeExceptionally(
                        new CliException(
                            CliException.FAILURE,
                            "error: the control plane at "
                                + client.baseUri()
                                + " ended the event stream"));
                  }
                })) {
      return ended.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      // Ctrl-C, or the embedding program stopping the watch: a normal end.
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  static String line(ControlPlaneEvent e) {
    StringBuilder sb = new StringBuilder();
    sb.append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(' ').append(e.type());
    switch (e.type()) {
      case "policy" -> sb.append(' ').append(e.name()).append(' ').append(e.action());
      case "ack", "nack", "stale" ->
          sb.append(' ').append(e.node()).append('/').append(e.instance());
      case "removed" ->
          sb.append(' ')
              .append(e.node())
              .append('/')
              .append(e.instance())
              .append(' ')
              .append(e.action());
      default -> {}
    }
    append(sb, "revision", e.revision());
    append(sb, "version", e.version());
    append(sb, "rules", e.rules());
    append(sb, "applied", e.appliedVersion());
    append(sb, "lastSeen", e.lastSeen());
    if (e.error() != null) {
      sb.append(" error=\"").append(e.error()).append('"');
    }
    return sb.toString();
  }

  private static void append(StringBuilder sb, String key, Object value) {
    if (value != null) {
      sb.append(' ').append(key).append('=').append(value);
    }
  }
}
