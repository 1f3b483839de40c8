package dev.hfi.cli;

import dev.hfi.cli.internal.HfiCommand;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;

/**
 * The {@code hfi} command line: manage fault-injection policies, list data planes, run the control
 * plane and the embedded proxy standalone. Subcommands, output and exit codes are documented in
 * {@code docs/CLI.md}.
 *
 * <p>Exit codes: {@code 0} success, {@code 1} failure (the server said no, the control plane is
 * unreachable, a wait timed out), {@code 2} usage error or invalid input. Errors are one line on
 * stderr; {@code --verbose} adds the stack trace.
 *
 * <p>{@link #run} executes one command line in-process with the given streams and environment and
 * is safe to call from several threads at once (each call builds its own command objects). Commands
 * that serve ({@code control-plane}, {@code proxy}, {@code up}) run until the calling thread is
 * interrupted or the JVM shuts down.
 *
 * <pre>{@code
 * StringWriter out = new StringWriter();
 * int code = Hfi.run(System.in, new PrintWriter(out, true), new PrintWriter(System.err, true),
 *     Map.of("HFI_CONTROL_PLANE", "http://127.0.0.1:8080"), "policy", "get", "-o", "yaml");
 * }</pre>
 */
public final class Hfi {
  private Hfi() {}

  /** Runs the command line and exits the JVM with its exit code. */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(run(System.in, out, err, System.getenv(), args));
  }

  /**
   * Runs one command line in-process.
   *
   * @param in what {@code -f -} reads
   * @param out where results go (tables, YAML, "created" lines)
   * @param err where errors and notices go
   * @param env the environment ({@code HFI_CONTROL_PLANE}, {@code HFI_TOKEN})
   * @param args the arguments after {@code hfi}
   * @return the exit code: 0, 1 or 2
   */
  public static int run(
      InputStream in, PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
    return HfiCommand.commandLine(in, out, err, env).execute(args);
  }
}
