package dev.hfi.containers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real curl against Envoy's listener: status, fault header and time of each request. */
final class ComposeCurl {
  /** One answer: HTTP status, the x-hfi-fault header (empty when none) and the total time. */
  record Answer(int status, String fault, Duration took) {}

  private final String baseUrl;

  ComposeCurl(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** {@code count} GETs of {@code path} in one curl process (URL globbing, one connection). */
  List<Answer> get(String path, int count, String... headers) {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30"));
    for (String h : headers) {
      cmd.add("-H");
      cmd.add(h);
    }
    cmd.add("-o");
    cmd.add("/dev/null");
    cmd.add("-w");
    cmd.add("%{http_code} %{time_total} [%header{x-hfi-fault}]\\n");
    // curl's URL globbing: one request per value of n, all in this one process.
    cmd.add(baseUrl + path + (path.contains("?") ? "&" : "?") + "n=[1-" + count + "]");
    ComposeCommand.Result r =
        ComposeCommand.run(Path.of("."), Map.of(), Duration.ofMinutes(3), cmd).requireSuccess();
    List<Answer> answers = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] parts = line.split(" ", 3);
      String fault = parts[2].substring(1, parts[2].length() - 1);
      answers.add(
          new Answer(
              Integer.parseInt(parts[0]),
              fault,
              Duration.ofNanos((long) (Double.parseDouble(parts[1]) * 1e9))));
    }
    if (answers.size() != count) {
      throw new AssertionError(r.describe("answered " + answers.size() + " of " + count));
    }
    return answers;
  }
}
