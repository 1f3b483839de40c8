package dev.hfi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.hfi.testkit.EnvoyConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the deployment checks share: where the repository and the tools are, running a tool, reading
 * multi-document YAML, the chart rendered once per values file.
 *
 * <p>The tools are real and required: CI always installs them ({@code ci/install-deps.sh}), so a
 * missing one fails the test with the command that installs it, never a skip.
 */
final class Deploy {

  static final ObjectMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  /** The chart's values files checked besides the defaults ("" = default values). */
  static final List<String> VALUES =
      List.of(
          "",
          "ci/memory-values.yaml",
          "ci/etcd-bundled-values.yaml",
          "ci/etcd-external-values.yaml");

  /** The sample's control-plane address, as the sidecar and Istio see it. */
  static final String CONTROL_PLANE_HOST = "hfi-control-plane.hfi-system.svc.cluster.local";

  private static final Map<String, Path> RENDERED = new ConcurrentHashMap<>();

  private Deploy() {}

  static Path root() {
    Path root = Path.of(System.getProperty("hfi.repo.root", "..")).toAbsolutePath().normalize();
    assertThat(root.resolve("deploy/kubernetes")).as("repository root %s", root).isDirectory();
    return root;
  }

  static Path chart() {
    return root().resolve("deploy/helm/hfi");
  }

  /** Every plain manifest under deploy/kubernetes, sorted by name. */
  static List<Path> manifests() {
    try (Stream<Path> files = Files.list(root().resolve("deploy/kubernetes"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path helm() {
    return tool("HFI_HELM", "Helm");
  }

  static Path kubernetesValidate() {
    return tool("HFI_KUBERNETES_VALIDATE", "kubernetes-validate");
  }

  private static Path tool(String variable, String what) {
    String value = System.getenv(variable);
    if (value == null || value.isBlank()) {
      throw new AssertionError(
          what
              + " not found: "
              + variable
              + " is not set. Run ci/install-deps.sh, then `source ci/env.sh` (ci/test.sh does"
              + " both), or point "
              + variable
              + " at the binary");
    }
    Path path = Path.of(value);
    if (!Files.isExecutable(path)) {
      throw new AssertionError(
          what
              + " not found: "
              + variable
              + "="
              + value
              + " is not executable. Run ci/install-deps.sh");
    }
    return path;
  }

  /** A finished command: exit code and its output (stdout and stderr together). */
  record Result(int exitCode, String output) {}

  static Result run(Path dir, String... command) {
    try {
      Process p =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + String.join(" ", command));
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + Arrays.toString(command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static Result runOk(Path dir, String... command) {
    Result r = run(dir, command);
    assertThat(r.exitCode()).as("%s\n%s", String.join(" ", command), r.output()).isZero();
    return r;
  }

  /** The chart rendered with {@code values} ("" = defaults), release hfi in hfi-system. */
  static Path rendered(String values) {
    return rendered(values, "hfi-system");
  }

  static Path rendered(String values, String namespace) {
    return RENDERED.computeIfAbsent(
        values + "@" + namespace,
        k -> {
          List<String> cmd =
              new ArrayList<>(
                  List.of(helm().toString(), "template", "hfi", ".", "--namespace", namespace));
          if (!values.isEmpty()) {
            cmd.add("--values");
            cmd.add(values);
          }
          Result r = runOk(chart(), cmd.toArray(String[]::new));
          Path dir = Path.of(System.getProperty("hfi.rendered.dir", "target/rendered"));
          String name =
              (values.isEmpty() ? "default" : Path.of(values).getFileName().toString())
                      .replace(".yaml", "")
                  + "-"
                  + namespace
                  + ".yaml";
          try {
            Files.createDirectories(dir);
            Path out = dir.resolve(name);
            Files.writeString(out, r.output());
            return out;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** The non-empty documents of a multi-document YAML file. */
  static List<JsonNode> documents(Path file) {
    try {
      List<JsonNode> docs = new ArrayList<>();
      try (var it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
        while (it.hasNext()) {
          JsonNode n = (JsonNode) it.next();
          if (n != null && !n.isNull() && !n.isMissingNode() && n.size() > 0) {
            docs.add(n);
          }
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Objects of the files keyed "Kind/name", in order. */
  static Map<String, ObjectNode> objects(Path... files) {
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    for (Path f : files) {
      for (JsonNode d : documents(f)) {
        String key = d.path("kind").asText() + "/" + d.path("metadata").path("name").asText();
        assertThat(out.put(key, (ObjectNode) d)).as("%s defined twice", key).isNull();
      }
    }
    return out;
  }

  /**
   * The sample's envoy.yaml as HFI generates it: what {@code hfi --control-plane-addr
   * http://hfi-control-plane.NS.svc.cluster.local:8080 --token @HFI_TOKEN@ envoy-config --upstream
   * sample-app=http://127.0.0.1:5678 --filter-path /filters/hfi-filter.wasm} prints.
   */
  static String sampleEnvoyYaml(String namespace) {
    return EnvoyConfig.builder()
        .withListenAddress("0.0.0.0")
        .withAdminPort(EnvoyConfig.DEFAULT_ADMIN_PORT)
        .withControlPlane("hfi-control-plane." + namespace + ".svc.cluster.local", 8080)
        .withControlPlaneToken("@HFI_TOKEN@")
        .withFilterPath("/filters/hfi-filter.wasm")
        .withUpstream(
            "sample-app", "sample-app", 10000, java.net.URI.create("http://127.0.0.1:5678"))
        .build()
        .toYaml();
  }

  /** The chart's appVersion: the images' tag, the Maven project version. */
  static String chartAppVersion() {
    try {
      return YAML.readTree(chart().resolve("Chart.yaml").toFile()).path("appVersion").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
