package dev.hfi.cli;

import static dev.hfi.client.TestPolicies.abortYaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to {@code apply -f}: every problem is found before the control plane is called (the
 * address here accepts no connections), reported on one line naming file, line and field, exit 2.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PolicyFilesTest {
  @TempDir Path dir;

  private final Cli cli = Cli.against(URI.create("http://127.0.0.1:1"));

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void yamlSyntaxErrorNamesTheLine() throws IOException {
    Path f =
        write("broken.yaml", abortYaml("a", "/a", 503) + "---\nmetadata:\n  name: b\n spec: [\n");
    Cli.Result r = cli.run("policy", "apply", "-f", f.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("error: " + f + ": malformed YAML at line 13");
  }

  @Test
  void jsonSyntaxErrorNamesTheLine() throws IOException {
    Path f =
        write("broken.json", "{\n  \"apiVersion\": \"hfi.dev/v1alpha1\",\n  \"kind\" \"x\"\n}\n");
    Cli.Result r = cli.run("policy", "apply", "-f", f.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: " + f + ": malformed JSON at line 3");
  }

  @Test
  void unknownFieldIsNamedWithItsPathAndTheKnownOnes() throws IOException {
    Path f =
        write("typo.yaml", abortYaml("typo", "/a", 503).replace("path: {prefix", "paht: {prefix"));
    Cli.Result r = cli.run("policy", "apply", "-f", f.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "error: "
                + f
                + ":1: policy \"typo\" is invalid: spec.match.paht: unknown field; expected one"
                + " of: headers, method, path");
  }

  @Test
  void invalidValueIsNamedAndNothingIsApplied() throws IOException {
    Path f =
        write("two.yaml", abortYaml("good", "/a", 503) + "---\n" + abortYaml("bad", "/b", 700));
    Cli.Result r = cli.run("policy", "apply", "-f", f.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip())
        .startsWith("error: " + f + ":11: policy \"bad\" is invalid: spec.fault.abort.httpStatus")
        .contains("700");
  }

  @Test
  void everyProblemOfADocumentIsOnItsOwnLineWrongTypesIncluded() throws IOException {
    Path f =
        write(
            "many.yaml",
            abortYaml("many", "api", 700).replace("fault:", "fault:\n    percentage: \"abc\""));
    Cli.Result r = cli.run("policy", "apply", "-f", f.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    String at = "error: " + f + ":1: policy \"many\" is invalid: ";
    assertThat(r.err().lines())
        .containsExactly(
            at + "spec.fault.percentage: expected a number, got \"abc\"",
            at + "spec.match.path.prefix: must start with '/', got \"api\"",
            at + "spec.fault.abort.httpStatus: must be in [200, 600), got 700");
  }

  @Test
  void everyBadDocumentIsReportedOnItsOwnLine() throws IOException {
    Path a = write("a.yaml", abortYaml("a", "/a", 99));
    Path b = write("b.json", "[1, 2]");
    Cli.Result r = cli.run("policy", "apply", "-f", a.toString(), "-f", b.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().lines())
        .satisfiesExactly(
            l -> assertThat(l).startsWith("error: " + a + ":1: policy \"a\" is invalid"),
            l ->
                assertThat(l)
                    .isEqualTo(
                        "error: "
                            + b
                            + ":1: expected a FaultInjectionPolicy (an"
                            + " object with apiVersion, kind, metadata, spec), got a list"));
  }

  @Test
  void missingFileIsNamed() {
    Cli.Result r = cli.run("policy", "apply", "-f", dir.resolve("nope.yaml").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo("error: " + dir.resolve("nope.yaml") + ": no such file or directory");
  }

  @Test
  void directoryWithoutPolicyFilesIsNamed() throws IOException {
    write("README.txt", "not a policy");
    Cli.Result r = cli.run("policy", "apply", "-f", dir.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(dir + ": the directory holds no .yaml, .yml or .json file");
  }

  @Test
  void emptyStdinIsInvalidInput() {
    Cli.Result r = cli.stdin("\n").run("policy", "apply", "-f", "-");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("error: no policies found in -");
  }
}
