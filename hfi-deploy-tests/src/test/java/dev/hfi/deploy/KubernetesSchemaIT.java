package dev.hfi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubernetes-validate --strict} (unknown fields rejected) on every plain manifest of
 * deploy/kubernetes and on the chart rendered with its default values and each CI values file, for
 * the three newest Kubernetes minor versions the package carries.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class KubernetesSchemaIT {

  private static final Pattern PASSED =
      Pattern.compile("^INFO (\\S+) passed for resource (\\S+) against version (\\S+)$");

  private static List<String> versions;
  private static final Map<String, Integer> validatedPerVersion = new TreeMap<>();

  @BeforeAll
  static void newestVersions() {
    Path python = Deploy.kubernetesValidate().resolveSibling("python");
    String all =
        Deploy.runOk(
                Deploy.root(),
                python.toString(),
                "-c",
                "import kubernetes_validate.utils as u; print(' '.join(u.all_versions()))")
            .output()
            .trim();
    List<String> minors = new ArrayList<>();
    for (String v : all.split("\\s+")) {
      String minor = v.replaceAll("^(\\d+\\.\\d+).*", "$1");
      if (!minors.contains(minor)) {
        minors.add(minor);
      }
    }
    versions = minors.subList(Math.max(0, minors.size() - 3), minors.size());
    assertThat(versions).as("Kubernetes versions of kubernetes-validate: %s", all).hasSize(3);
    System.out.println(
        "kubernetes-validate carries Kubernetes " + minors + "; checking " + versions);
  }

  @AfterAll
  static void figures() {
    System.out.println(
        "objects validated (--strict) per Kubernetes version: " + validatedPerVersion);
  }

  @Test
  void everyPlainManifestIsValidForTheThreeNewestKubernetesVersions() {
    for (Path manifest : Deploy.manifests()) {
      validate(manifest);
    }
  }

  @Test
  void theChartRenderedWithEachValuesFileIsValidForTheThreeNewestKubernetesVersions() {
    for (String values : Deploy.VALUES) {
      validate(Deploy.rendered(values));
    }
  }

  @Test
  void strictValidationRejectsAnUnknownField(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        Files.readString(Deploy.root().resolve("deploy/kubernetes/control-plane.yaml"))
            .replace("  revisionHistoryLimit: 5", "  revisionHistoryLimits: 5"));
    Deploy.Result r =
        Deploy.run(
            dir,
            Deploy.kubernetesValidate().toString(),
            "--strict",
            "-k",
            versions.get(2),
            "bad.yaml");
    assertThat(r.exitCode()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("ERROR").contains("revisionHistoryLimits");
  }

  private static void validate(Path file) {
    List<String> cmd = new ArrayList<>(List.of(Deploy.kubernetesValidate().toString(), "--strict"));
    for (String v : versions) {
      cmd.add("-k");
      cmd.add(v + ".0");
    }
    cmd.add(file.toString());
    Deploy.Result r = Deploy.run(Deploy.root(), cmd.toArray(String[]::new));
    assertThat(r.exitCode()).as("%s\n%s", file, r.output()).isZero();
    // A kind without a schema is only a warning for the tool; every kind HFI ships has one.
    assertThat(r.output()).as(file.toString()).doesNotContain("WARN").doesNotContain("ERROR");
    int objects = Deploy.documents(file).size();
    Map<String, Integer> passed = new TreeMap<>();
    for (String line : r.output().split("\n")) {
      Matcher m = PASSED.matcher(line.trim());
      if (m.matches()) {
        passed.merge(m.group(3), 1, Integer::sum);
      }
    }
    for (String v : versions) {
      assertThat(passed.getOrDefault(v, 0))
          .as("objects of %s that passed against %s:\n%s", file, v, r.output())
          .isEqualTo(objects);
      validatedPerVersion.merge(v, objects, Integer::sum);
    }
    System.out.printf(
        "kubernetes-validate --strict %s: %d objects passed against each of %s%n",
        Deploy.root().relativize(file.toAbsolutePath()).toString().replace("../", ""),
        objects,
        versions);
  }
}
