package dev.hfi.cli.internal;

import picocli.CommandLine.Option;

/** {@code -o/--output} of the commands that list (kubectl's flag): a table, YAML or JSON. */
final class OutputOption {
  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "Output format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  Output.Format format;
}
