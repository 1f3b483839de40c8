package dev.hfi.cli.internal;

import dev.hfi.client.DataPlaneInstance;
import dev.hfi.client.HfiClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hfi nodes [-o table|yaml|json]}: the data-plane instances the control plane knows. */
@Command(
    name = "nodes",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "List the data-plane instances (one per proxy worker) that poll the control plane.",
      "STATUS is ACK (applied VERSION), NACK (rejected a newer one: see -o yaml for the error) or"
          + " STALE (stopped polling)."
    })
final class NodesCommand implements Callable<Integer> {
  static final List<String> HEADER = List.of("NODE", "INSTANCE", "VERSION", "STATUS", "LAST-SEEN");

  @Spec CommandSpec spec;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    HfiClient.Nodes nodes;
    try (HfiClient client = HfiCommand.of(spec).client()) {
      nodes = client.nodes();
    }
    if (output.format != Output.Format.table) {
      Output.print(out, output.format, nodes);
    } else if (nodes.items().isEmpty()) {
      spec.commandLine().getErr().println("No data planes found.");
      spec.commandLine().getErr().flush();
    } else {
      Instant now = Instant.now();
      Output.table(out, HEADER, nodes.items().stream().map(n -> row(n, now)).toList());
    }
    return 0;
  }

  private static List<String> row(DataPlaneInstance n, Instant now) {
    String status = n.stale() ? "STALE" : n.status();
    return List.of(
        n.node(),
        n.instance(),
        Long.toString(n.appliedVersion()),
        status == null ? "<unknown>" : status,
        Output.age(n.lastSeen(), now) + " ago");
  }
}
