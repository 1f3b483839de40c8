package dev.hfi.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.AckTracker;
import dev.hfi.client.HfiClient;
import dev.hfi.testcontainers.HfiImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.utility.DockerImageName;

/**
 * deploy/compose/ as a user runs it: {@code up}, then the walk-through of docs/CONTAINERS.md with
 * the real {@code hfi} CLI (the launcher on the host, against the published API port, and once the
 * compose {@code hfi} service) and real curl through Envoy: abort, delay, 50 %, a header-matched
 * fault, an update, a delete, one control-plane replica SIGKILLed, and the whole stack restarted
 * with its policies kept in etcd's volume. Every change waits with {@code --wait} (ACKed by the
 * data plane); health is Docker's own health events. Figures go to stdout ("compose figure").
 */
@Tag("slow")
@Timeout(900)
class ComposeEnvironmentIT {
  private static final HfiImages IMAGES = HfiImages.fromEnvironment();
  private static final Path HFI = Path.of("../hfi-cli/src/main/sh/hfi").toAbsolutePath();
  private static final Path HFI_JAR = Path.of("../hfi-cli/target/hfi.jar").toAbsolutePath();
  private static final Path POLICIES = ComposeProject.DIR.resolve("policies");
  private static final Duration HEALTHY = Duration.ofMinutes(4);
  private static final String[] SERVICES = {
    "etcd", "control-plane-1", "control-plane-2", "control-plane", "orders", "envoy"
  };
  private static final Duration DELAY = Duration.ofSeconds(1);

  private final List<String> figures = new ArrayList<>();
  private Map<String, String> cliEnv;
  private ComposeCurl curl;
  private URI api;

  @Test
  void walkThroughEveryScenarioThenSurviveAReplicaKillAndAFullRestart() throws Exception {
    long testStart = System.nanoTime();
    String jreBase = System.getenv().getOrDefault("HFI_JRE_BASE", "hfi.local/jre:17");
    String jdkBase = System.getenv().getOrDefault("HFI_JDK_BASE", "hfi.local/jdk:17");
    DockerRequirement.requireImages(
        HfiImages.published("hfi-control-plane"),
        HfiImages.published("hfi-envoy"),
        IMAGES.etcd(),
        DockerImageName.parse(jreBase),
        DockerImageName.parse(jdkBase));
    assertThat(HFI_JAR).as("hfi.jar (mvn -pl hfi-cli -am package)").exists();
    int apiPort = freePort();
    int envoyPort = freePort();
    Map<String, String> env = new HashMap<>();
    env.put("HFI_IMAGE_ETCD", IMAGES.etcd().asCanonicalNameString());
    env.put("HFI_JRE_BASE", jreBase);
    env.put("HFI_JDK_BASE", jdkBase);
    env.put("HFI_API_PORT", String.valueOf(apiPort));
    env.put("HFI_ENVOY_PORT", String.valueOf(envoyPort));
    api = URI.create("http://127.0.0.1:" + apiPort);
    cliEnv = Map.of("HFI_JAR", HFI_JAR.toString(), "HFI_CONTROL_PLANE", api.toString());
    curl = new ComposeCurl("http://127.0.0.1:" + envoyPort);

    String project = "hfi-compose-it-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    try (ComposeProject compose = new ComposeProject(project, env)) {
      figure("compose", compose.version().lines().findFirst().orElse("?"));
      imagesFollowTheProjectVersion(compose);

      figure("up to healthy", ms(compose.upAndAwaitHealthy(HEALTHY, SERVICES)));
      awaitDataPlane(Duration.ofSeconds(60));
      assertAllPass(10);

      abortAll();
      delay();
      percentage();
      headerMatchedThenUpdatedThenDeleted();

      // One replica SIGKILLed: the front moves everything to the survivor.
      long killed = System.nanoTime();
      compose.compose("kill", "-s", "SIGKILL", "control-plane-1");
      awaitDataPlane(Duration.ofSeconds(60));
      figure("replica killed -> survivor serves and knows the data plane", since(killed));
      assertThat(
              ComposeCommand.run(
                      ComposeProject.DIR,
                      env,
                      Duration.ofSeconds(30),
                      "docker",
                      "inspect",
                      "--format",
                      "{{.State.Status}} {{.State.ExitCode}}",
                      compose.containerId("control-plane-1"))
                  .requireSuccess()
                  .stdout()
                  .trim())
          .isEqualTo("exited 137");
      abortAll();
      long applied = System.nanoTime();
      hfi("policy", "apply", "-f", POLICIES.resolve("orders-abort.yaml").toString(), "--wait");
      figure("apply --wait through the survivor", since(applied));
      assertAllAborted(10, "orders-abort");
      // The compose hfi service reaches the same control plane by its service name.
      assertThat(compose.compose("run", "--rm", "hfi", "policy", "get").stdout())
          .contains("orders-abort");

      // The whole stack down (volume kept) and up again: the policy is still there and in force.
      compose.down(false);
      figure("up to healthy (warm, after down)", ms(compose.upAndAwaitHealthy(HEALTHY, SERVICES)));
      awaitDataPlane(Duration.ofSeconds(60));
      assertThat(hfi("policy", "get").stdout()).contains("orders-abort");
      assertAllAborted(10, "orders-abort");
      hfi("policy", "delete", "orders-abort", "--wait");
      assertAllPass(10);
    } finally {
      figure("whole IT", since(testStart));
      figures.forEach(f -> System.out.println("compose figure: " + f));
    }
  }

  /** Every HFI image in the resolved file is the published one: the tag is the project version. */
  private static void imagesFollowTheProjectVersion(ComposeProject compose) {
    String config = compose.compose("config").stdout();
    assertThat(config)
        .contains("image: " + HfiImages.published("hfi-control-plane").asCanonicalNameString())
        .contains("image: " + HfiImages.published("hfi-envoy").asCanonicalNameString());
    List<String> hfiImages =
        config
            .lines()
            .map(String::trim)
            .filter(l -> l.startsWith("image: ") && l.contains("hfi-dev/"))
            .toList();
    String tag = HfiImages.published("hfi-envoy").getVersionPart();
    assertThat(hfiImages).isNotEmpty().allSatisfy(l -> assertThat(l).endsWith(":" + tag));
  }

  private void abortAll() {
    apply("orders-abort.yaml", "orders-abort", "created");
    assertAllAborted(20, "orders-abort");
    delete("orders-abort");
  }

  private void delay() {
    List<ComposeCurl.Answer> before = curl.get("/api/orders", 5);
    apply("orders-delay.yaml", "orders-delay", "created");
    List<ComposeCurl.Answer> delayed = curl.get("/api/orders", 5);
    assertThat(delayed)
        .allSatisfy(
            a -> {
              assertThat(a.status()).isEqualTo(200);
              assertThat(a.took()).isBetween(DELAY, DELAY.plusMillis(500));
            });
    figure(
        "delay 1s measured (min/max of 5)",
        ms(min(delayed)) + "/" + ms(max(delayed)) + " (without: max " + ms(max(before)) + ")");
    delete("orders-delay");
    assertThat(max(curl.get("/api/orders", 5))).isLessThan(DELAY);
  }

  private void percentage() {
    apply("orders-half.yaml", "orders-half", "created");
    int n = 400;
    List<ComposeCurl.Answer> answers = curl.get("/api/orders", n);
    long aborted = answers.stream().filter(a -> a.status() == 503).count();
    long passed = answers.stream().filter(a -> a.status() == 200).count();
    assertThat(aborted + passed).as("every answer is 200 or 503").isEqualTo(n);
    assertThat(answers)
        .filteredOn(a -> a.status() == 503)
        .allMatch(a -> a.fault().equals("orders-half"));
    // Binomial(400, 0.5): mean 200, sd 10; 140..260 is +-6 sd (a false alarm about 1 in 10^9).
    assertThat(aborted).isBetween(140L, 260L);
    figure("50 % of 400", aborted + " aborted (" + (100.0 * aborted / n) + " %)");
    delete("orders-half");
  }

  private void headerMatchedThenUpdatedThenDeleted() {
    apply("orders-test-user.yaml", "orders-test-user", "created");
    assertThat(curl.get("/api/orders", 10, "x-user: test"))
        .allSatisfy(
            a ->
                assertThat(a)
                    .extracting(ComposeCurl.Answer::status, ComposeCurl.Answer::fault)
                    .containsExactly(503, "orders-test-user"));
    assertAllPass(10);
    assertThat(curl.get("/api/orders", 10, "x-user: someone-else"))
        .allSatisfy(a -> assertThat(a.status()).isEqualTo(200));

    apply("orders-test-user-delay.yaml", "orders-test-user", "configured");
    List<ComposeCurl.Answer> slowed = curl.get("/api/orders", 5, "x-user: test");
    assertThat(slowed)
        .allSatisfy(
            a -> {
              assertThat(a.status()).isEqualTo(200);
              assertThat(a.took()).isBetween(DELAY, DELAY.plusMillis(500));
            });
    figure("updated abort -> delay, x-user: test (max of 5)", ms(max(slowed)));
    assertThat(max(curl.get("/api/orders", 5))).isLessThan(DELAY);

    delete("orders-test-user");
    assertThat(max(curl.get("/api/orders", 5, "x-user: test"))).isLessThan(DELAY);
    assertAllPass(10);
  }

  private void apply(String file, String name, String outcome) {
    ComposeCommand.Result r =
        hfi("policy", "apply", "-f", POLICIES.resolve(file).toString(), "--wait");
    assertThat(r.stdout()).contains("faultinjectionpolicy.hfi.dev \"" + name + "\" " + outcome);
    figure("apply --wait " + file, ms(r.took()));
  }

  private void delete(String name) {
    ComposeCommand.Result r = hfi("policy", "delete", name, "--wait");
    assertThat(r.stdout()).contains("faultinjectionpolicy.hfi.dev \"" + name + "\" deleted");
    assertAllPass(10);
  }

  private ComposeCommand.Result hfi(String... args) {
    List<String> cmd = new ArrayList<>(List.of(HFI.toString(), "--timeout", "30s"));
    cmd.addAll(List.of(args));
    return ComposeCommand.run(ComposeProject.DIR, cliEnv, Duration.ofSeconds(90), cmd)
        .requireSuccess();
  }

  /**
   * Blocks until Envoy's filter instances (node "orders", one per worker plus the main thread) have
   * applied the current rule set as the serving replica sees it: event-driven, over its event
   * stream. A replica that never saw them would otherwise let a --wait return at once.
   */
  private void awaitDataPlane(Duration timeout) {
    HfiClient client = HfiClient.builder().withBaseUri(api).withTimeout(timeout).build();
    try (AckTracker acks = AckTracker.open(client, timeout)) {
      acks.awaitNodes(Set.of("orders"), 2, timeout);
    } finally {
      client.close();
    }
  }

  private void assertAllPass(int n) {
    assertThat(curl.get("/api/orders", n))
        .allSatisfy(
            a -> {
              assertThat(a.status()).isEqualTo(200);
              assertThat(a.fault()).isEmpty();
            });
  }

  private void assertAllAborted(int n, String policy) {
    assertThat(curl.get("/api/orders", n))
        .allSatisfy(
            a -> {
              assertThat(a.status()).isEqualTo(503);
              assertThat(a.fault()).isEqualTo(policy);
            });
  }

  private void figure(String what, String value) {
    figures.add(what + ": " + value);
  }

  private static Duration max(List<ComposeCurl.Answer> answers) {
    return answers.stream().map(ComposeCurl.Answer::took).max(Duration::compareTo).orElseThrow();
  }

  private static Duration min(List<ComposeCurl.Answer> answers) {
    return answers.stream().map(ComposeCurl.Answer::took).min(Duration::compareTo).orElseThrow();
  }

  private static String since(long start) {
    return ms(Duration.ofNanos(System.nanoTime() - start));
  }

  private static String ms(Duration d) {
    return d.toMillis() + " ms";
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
