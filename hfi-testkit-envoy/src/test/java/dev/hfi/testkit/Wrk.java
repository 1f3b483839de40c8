package dev.hfi.testkit;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk} (on the PATH; ci/install-deps.sh installs it) and reads its latency
 * distribution. Shared by the data-plane benchmarks.
 */
final class Wrk {
  private static final Pattern PERCENTILE =
      Pattern.compile("^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
  private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors:.*");
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

  /** One run: p50 and p99 latency in microseconds, requests per second. */
  record Result(double p50, double p99, double rps) {}

  /** A measurement with 1 connection and one with 32. */
  record Pair(Result one, Result many) {
    /** p50, p99 and req/s with 1 connection, then with 32, formatted. */
    String[] cells() {
      return new String[] {
        us(one.p50()),
        us(one.p99()),
        rps(one.rps()),
        us(many.p50()),
        us(many.p99()),
        rps(many.rps())
      };
    }
  }

  private Wrk() {}

  /**
   * Measures {@code target} with 1 connection, then with 32, each run preceded by a warm-up run of
   * the same length.
   */
  static Pair oneAndMany(URI target, String duration) throws IOException, InterruptedException {
    run(target, 1, duration);
    Result one = run(target, 1, duration);
    run(target, 32, duration);
    return new Pair(one, run(target, 32, duration));
  }

  /**
   * Runs wrk against {@code target} for {@code duration} (wrk's syntax, e.g. {@code 10s}) with
   * {@code connections} connections on min(connections, 2) threads.
   *
   * @throws IOException when wrk fails or sees a non-2xx answer; socket errors (timeouts, resets)
   *     are printed to stderr, as they skew the figures without making them meaningless
   */
  static Result run(URI target, int connections, String duration)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "wrk",
                "-t" + Math.min(connections, 2),
                "-c" + connections,
                "-d" + duration,
                "--latency",
                target.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0 || out.contains("Non-2xx")) {
      throw new IOException("wrk failed or saw errors:\n" + out);
    }
    Matcher errors = SOCKET_ERRORS.matcher(out);
    if (errors.find()) {
      System.err.println("wrk " + target + " -c" + connections + ": " + errors.group());
    }
    double[] percentiles = new double[2];
    Matcher m = PERCENTILE.matcher(out);
    while (m.find()) {
      double v = Double.parseDouble(m.group(2));
      double micros =
          switch (m.group(3)) {
            case "us" -> v;
            case "ms" -> v * 1000;
            default -> v * 1_000_000;
          };
      percentiles[m.group(1).equals("50") ? 0 : 1] = micros;
    }
    Matcher r = RPS.matcher(out);
    if (!r.find()) {
      throw new IOException("no Requests/sec in wrk output:\n" + out);
    }
    return new Result(percentiles[0], percentiles[1], Double.parseDouble(r.group(1)));
  }

  /** A latency as wrk would print it: {@code 85us}, {@code 1.39ms}... */
  static String us(double micros) {
    return micros >= 10_000
        ? String.format(Locale.ROOT, "%.1fms", micros / 1000)
        : String.format(Locale.ROOT, "%.0fus", micros);
  }

  static String rps(double rps) {
    return String.format(Locale.ROOT, "%.0f", rps);
  }
}
