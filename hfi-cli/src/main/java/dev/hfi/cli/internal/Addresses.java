package dev.hfi.cli.internal;

import java.net.URI;
import java.net.URISyntaxException;

/** Reads the URLs given on the command line. */
final class Addresses {
  private Addresses() {}

  /**
   * {@code value} as an http(s) URI; {@code host:port} without a scheme means {@code http://}.
   *
   * @throws CliException (exit code 2) naming {@code option} when it is not an http(s) URL
   */
  static URI httpUri(String option, String value) {
    String v = value == null ? "" : value.trim();
    if (!v.isEmpty() && !v.contains("://")) {
      v = "http://" + v;
    }
    try {
      URI u = new URI(v);
      if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
        return u;
      }
    } catch (URISyntaxException bad) {
      // Reported below with the expected form.
    }
    throw CliException.invalid(
        "error: "
            + option
            + ": expected a URL such as http://127.0.0.1:8080, got \""
            + (value == null ? "" : value)
            + "\"");
  }
}
