package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.PolicySnapshot;
import dev.hfi.client.RuleSet;
import dev.hfi.client.Streams;
import dev.hfi.client.internal.Limits;
import dev.hfi.controlplane.ServerFixture.Answer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The control plane admits only what every data plane can apply (issue 19): over real HTTP, a write
 * that would take the rule set past a limit of {@link Limits} is a 400 naming the field and the
 * limit, a dry run says the same, and neither changes the store or the rule set; a write at the
 * limit passes.
 */
@Timeout(120)
class AdmissionIT {
  private static final String YAML = "application/yaml";

  private static String policy(String name, String match, String abort) {
    return """
        apiVersion: hfi.dev/v1alpha1
        kind: FaultInjectionPolicy
        metadata: {name: %s}
        spec:
          match: %s
          fault: {abort: %s}
        """
        .formatted(name, match, abort);
  }

  private static String simple(String name) {
    return policy(name, "{path: {prefix: /" + name + "}}", "{httpStatus: 503}");
  }

  /** Posts {@code body} and, for a refusal, checks that nothing changed. */
  private static Answer refused(ServerFixture f, String body, String message) {
    PolicySnapshot before = f.store.list();
    awaitCompiled(f, before.revision());
    RuleSet ruleSet = f.server.ruleSet();
    Answer dry = f.send("POST", "/v1/policies?dryRun=true", YAML, body);
    assertThat(dry.status()).isEqualTo(400);
    assertThat(dry.body()).contains(message);
    Answer post = f.send("POST", "/v1/policies", YAML, body);
    assertThat(post.status()).isEqualTo(400);
    assertThat(post.body()).contains("\"code\":\"Invalid\"").contains(message);
    assertThat(f.store.list()).isEqualTo(before);
    assertThat(f.server.ruleSet()).isEqualTo(ruleSet);
    return post;
  }

  /**
   * Rule sets are compiled after a write returns: waits (on the SSE stream) until the server's rule
   * set is at {@code revision}, so that "nothing changed" compares a settled rule set.
   */
  private static void awaitCompiled(ServerFixture f, long revision) {
    try (Streams.Collected<RuleSet> stream = Streams.ruleSets(f.client, null)) {
      RuleSet r;
      do {
        r = stream.items().poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a rule set at revision %s within 10s", revision).isNotNull();
      } while (r.version() < revision);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void theConfiguredPolicyCountIsReachedExactlyAndOneMoreIsRefused() {
    try (ServerFixture f = new ServerFixture(b -> b.withMaxPolicies(3))) {
      for (String name : new String[] {"p1", "p2", "p3"}) {
        assertThat(f.send("POST", "/v1/policies", YAML, simple(name)).status()).isEqualTo(201);
      }
      refused(
          f,
          simple("p4"),
          "metadata.name: creating policy \\\"p4\\\" would make 4 policies, above the control"
              + " plane's limit of 3 (--max-policies, HFI_MAX_POLICIES)");
      Answer update =
          f.send(
              "POST",
              "/v1/policies",
              YAML,
              policy("p3", "{path: {prefix: /p3}}", "{httpStatus: 500}"));
      assertThat(update.status()).as("an update at the limit").isEqualTo(200);
      f.client.delete("p1");
      assertThat(f.send("POST", "/v1/policies", YAML, simple("p4")).status()).isEqualTo(201);
    }
  }

  @Test
  void abortBodiesAreLimitedInUtf8Bytes() {
    try (ServerFixture f = new ServerFixture()) {
      String atLimit = "\u00e9".repeat(Limits.MAX_ABORT_BODY_BYTES / 2);
      assertThat(
              f.send(
                      "POST",
                      "/v1/policies",
                      YAML,
                      policy(
                          "body",
                          "{path: {exact: /b}}",
                          "{httpStatus: 503, body: " + atLimit + "}"))
                  .status())
          .isEqualTo(201);
      refused(
          f,
          policy("body2", "{path: {exact: /b2}}", "{httpStatus: 503, body: x" + atLimit + "}"),
          "spec.fault.abort.body: 65537 bytes (UTF-8) is above the limit of 65536 bytes");
    }
  }

  @Test
  void aRuleSetIsFilledToItsByteLimitAndOneMoreBodyIsRefused() {
    try (ServerFixture f = new ServerFixture()) {
      String body = "b".repeat(Limits.MAX_ABORT_BODY_BYTES);
      int i = 0;
      while (true) {
        String next =
            policy(
                "big-%03d".formatted(i),
                "{path: {exact: /big/%d}}".formatted(i),
                "{httpStatus: 503, body: " + body + "}");
        Answer a = f.send("POST", "/v1/policies", YAML, next);
        if (a.status() == 400) {
          assertThat(a.body())
              .contains(
                  "spec: with policy \\\"big-%03d\\\" the compiled rule set would be".formatted(i))
              .contains("above the limit of " + Limits.MAX_RULE_SET_BYTES + " bytes");
          refused(f, next, "above the limit of " + Limits.MAX_RULE_SET_BYTES + " bytes");
          break;
        }
        assertThat(a.status()).isEqualTo(201);
        i++;
      }
      assertThat(i).isEqualTo(63);
      RuleSet rs = f.server.ruleSet();
      long bytes = rs.json().getBytes(StandardCharsets.UTF_8).length;
      assertThat(bytes)
          .isLessThanOrEqualTo(Limits.MAX_RULE_SET_BYTES)
          .isGreaterThan(Limits.MAX_RULE_SET_BYTES - 66_000);
    }
  }

  @Test
  void theRegexesOfARuleSetAreLimitedInRe2InstructionsTogether() {
    try (ServerFixture f = new ServerFixture()) {
      // a{998}: 1000 instructions, the largest program one regex may have.
      int fit = (int) (Limits.MAX_RULE_SET_REGEX_PROGRAM_SIZE / Limits.MAX_REGEX_PROGRAM_SIZE);
      for (int i = 0; i < fit; i++) {
        Answer a =
            f.send(
                "POST",
                "/v1/policies",
                YAML,
                policy("re-%03d".formatted(i), "{path: {regex: \"a{998}\"}}", "{httpStatus: 503}"));
        assertThat(a.status()).as(a.body()).isEqualTo(201);
      }
      refused(
          f,
          policy("re-more", "{method: {regex: \"GE?T\"}}", "{httpStatus: 503}"),
          "spec.match: with policy \\\"re-more\\\" the regexes of the rule set would compile to "
              + (Limits.MAX_RULE_SET_REGEX_PROGRAM_SIZE + Limits.regexProgramSize("GE?T"))
              + " RE2 instructions in total, above the limit of "
              + Limits.MAX_RULE_SET_REGEX_PROGRAM_SIZE);
    }
  }
}
