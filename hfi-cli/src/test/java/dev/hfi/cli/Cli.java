package dev.hfi.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code hfi} in-process with captured stdout and stderr. */
final class Cli {
  private final Map<String, String> env = new HashMap<>();
  private String stdin = "";

  /** A CLI whose HFI_CONTROL_PLANE points at {@code controlPlane} (null: no environment). */
  static Cli against(URI controlPlane) {
    Cli cli = new Cli();
    if (controlPlane != null) {
      cli.env.put("HFI_CONTROL_PLANE", controlPlane.toString());
    }
    return cli;
  }

  Cli env(String name, String value) {
    env.put(name, value);
    return this;
  }

  Cli stdin(String text) {
    stdin = text;
    return this;
  }

  /** The outcome of one command line. */
  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    int code =
        Hfi.run(in, new PrintWriter(out, true), new PrintWriter(err, true), Map.copyOf(env), args);
    return new Result(code, out.toString(), err.toString());
  }
}
