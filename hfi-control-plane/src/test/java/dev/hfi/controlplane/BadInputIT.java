package dev.hfi.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyCodec;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.client.TestPolicies;
import dev.hfi.controlplane.ServerFixture.Answer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad requests over real HTTP: each gets the right status and an error JSON whose message names the
 * field, and the store is left exactly as it was.
 */
@Timeout(60)
class BadInputIT {
  private static final String JSON = "application/json";
  private static final String YAML = "application/yaml";
  private static final String BASE =
      """
      apiVersion: hfi.dev/v1alpha1
      kind: FaultInjectionPolicy
      metadata:
        name: bad
      spec:
        match:
          path: {prefix: /api}
          headers:
            - {name: x-user, exact: test}
        fault:
          percentage: 50
          abort: {httpStatus: 503}
      """;
  private static final String BASE_JSON =
      "{\"apiVersion\":\"hfi.dev/v1alpha1\",\"kind\":\"FaultInjectionPolicy\","
          + "\"metadata\":{\"name\":\"bad\"},"
          + "\"spec\":{\"fault\":{\"abort\":{\"httpStatus\":503}}}}";
  private static final long MAX_BODY = 64 * 1024;

  private static ServerFixture f;
  private static PolicySnapshot before;

  @BeforeAll
  static void start() {
    f = new ServerFixture(b -> b.withMaxBodyBytes(MAX_BODY));
    f.client.apply(TestPolicies.abort("existing", 503));
    before = f.store.list();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static String yaml(String from, String to) {
    assertThat(BASE).contains(from);
    return BASE.replace(from, to);
  }

  private static Arguments bad(String what, String type, String body, int status, String message) {
    return Arguments.of(what, type, body, status, message);
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
        bad("malformed JSON", JSON, "{\"apiVersion\": ", 400, "malformed JSON at line 1"),
        bad("malformed YAML", YAML, "metadata: [unclosed\nspec: {", 400, "malformed YAML at line"),
        bad("empty body", JSON, "", 400, "request body is empty"),
        bad(
            "JSON list instead of object",
            JSON,
            "[1, 2]",
            400,
            "body: expected a FaultInjectionPolicy object"),
        bad("YAML scalar", YAML, "just text", 400, "body: expected a FaultInjectionPolicy object"),
        bad(
            "two YAML documents",
            YAML,
            BASE + "---\n" + BASE,
            400,
            "body: expected one policy, found 2 documents"),
        bad(
            "duplicate JSON key",
            JSON,
            BASE_JSON.replace("{\"apiVersion\"", "{\"kind\":\"x\",\"apiVersion\""),
            400,
            "Duplicate field 'kind'"),
        bad(
            "unknown top-level field",
            YAML,
            BASE + "extra: 1\n",
            400,
            "extra: unknown field; expected one of: apiVersion, kind, metadata, spec, status"),
        bad(
            "unknown nested field",
            YAML,
            yaml("prefix: /api", "prefx: /api"),
            400,
            "spec.match.path.prefx: unknown field; expected one of: exact, prefix, regex"),
        bad(
            "unknown field in a list item",
            YAML,
            yaml("exact: test}", "exact: test, value: 1}"),
            400,
            "spec.match.headers[0].value: unknown field"),
        bad(
            "missing apiVersion",
            YAML,
            yaml("apiVersion: hfi.dev/v1alpha1\n", ""),
            400,
            "apiVersion: required, must be hfi.dev/v1alpha1"),
        bad(
            "wrong apiVersion",
            YAML,
            yaml("hfi.dev/v1alpha1", "hfi.dev/v2"),
            400,
            "apiVersion: must be hfi.dev/v1alpha1, got \\\"hfi.dev/v2\\\""),
        bad(
            "wrong kind",
            YAML,
            yaml("kind: FaultInjectionPolicy", "kind: Policy"),
            400,
            "kind: must be FaultInjectionPolicy"),
        bad(
            "missing spec",
            JSON,
            "{\"apiVersion\":\"hfi.dev/v1alpha1\",\"kind\":\"FaultInjectionPolicy\",\"metadata\":{\"name\":\"bad\"}}",
            400,
            "spec: required"),
        bad("empty name", YAML, yaml("name: bad", "name: \"\""), 400, "metadata.name: required"),
        bad(
            "upper-case name",
            YAML,
            yaml("name: bad", "name: Bad_Name"),
            400,
            "metadata.name: must be a DNS-1123 label"),
        bad(
            "name longer than 63",
            YAML,
            yaml("name: bad", "name: " + "a".repeat(64)),
            400,
            "metadata.name: must be a DNS-1123 label"),
        bad(
            "bad label value",
            YAML,
            yaml("name: bad", "name: bad\n  labels: {team: \"no spaces\"}"),
            400,
            "metadata.labels.team: invalid value"),
        bad(
            "non-numeric resourceVersion",
            YAML,
            yaml("name: bad", "name: bad\n  resourceVersion: abc"),
            400,
            "metadata.resourceVersion: must be the decimal string"),
        bad(
            "both path forms",
            YAML,
            yaml("{prefix: /api}", "{prefix: /api, exact: /api/x}"),
            400,
            "spec.match.path: exactly one of exact, prefix, regex"),
        bad(
            "no path form",
            YAML,
            yaml("{prefix: /api}", "{}"),
            400,
            "spec.match.path: exactly one of exact, prefix, regex"),
        bad(
            "path without leading slash",
            YAML,
            yaml("{prefix: /api}", "{prefix: api}"),
            400,
            "spec.match.path.prefix: must start with '/'"),
        bad(
            "bad path regex",
            YAML,
            yaml("{prefix: /api}", "{regex: \"/api/(orders\"}"),
            400,
            "spec.match.path.regex: not a valid RE2 regular expression"),
        bad(
            "backreference (not RE2)",
            YAML,
            yaml("{prefix: /api}", "{regex: \"(a)\\\\1\"}"),
            400,
            "spec.match.path.regex: not a valid RE2"),
        bad(
            "regex whose RE2 program is too large (issue 19)",
            YAML,
            yaml("{prefix: /api}", "{regex: \"((a{100}){100}){100}\"}"),
            400,
            "spec.match.path.regex: \\\"((a{100}){100}){100}\\\" compiles to an RE2 program of"),
        bad(
            "header regex one instruction over the program limit",
            YAML,
            yaml("exact: test}", "regex: \"a{999}\"}"),
            400,
            "spec.match.headers[0].regex: \\\"a{999}\\\" compiles to an RE2 program of 1001"
                + " instructions, above the limit of 1000"),
        bad(
            "bad method regex",
            YAML,
            yaml("path: {prefix: /api}", "method: {regex: \"[\"}"),
            400,
            "spec.match.method.regex"),
        bad(
            "header with two matchers",
            YAML,
            yaml("exact: test}", "exact: test, prefix: t}"),
            400,
            "spec.match.headers[0]: exactly one of exact, prefix, regex, present"),
        bad(
            "header present false",
            YAML,
            yaml("exact: test}", "present: false}"),
            400,
            "spec.match.headers[0].present: must be true"),
        bad(
            "header without name",
            YAML,
            yaml("name: x-user, ", ""),
            400,
            "spec.match.headers[0].name: required"),
        bad(
            "status above range",
            YAML,
            yaml("httpStatus: 503", "httpStatus: 700"),
            400,
            "spec.fault.abort.httpStatus: must be in [200, 600), got 700"),
        bad(
            "status below range",
            YAML,
            yaml("httpStatus: 503", "httpStatus: 199"),
            400,
            "spec.fault.abort.httpStatus: must be in [200, 600), got 199"),
        bad(
            "status as text",
            YAML,
            yaml("httpStatus: 503", "httpStatus: abc"),
            400,
            "spec.fault.abort.httpStatus: expected an integer"),
        bad(
            "gRPC status out of range",
            YAML,
            yaml("httpStatus: 503", "grpcStatus: 17"),
            400,
            "spec.fault.abort.grpcStatus: must be in [0, 16]"),
        bad(
            "both HTTP and gRPC status",
            YAML,
            yaml("httpStatus: 503", "httpStatus: 503, grpcStatus: 14"),
            400,
            "spec.fault.abort: exactly one of httpStatus, grpcStatus"),
        bad(
            "percentage above 100",
            YAML,
            yaml("percentage: 50", "percentage: 100.5"),
            400,
            "spec.fault.percentage: must be between 0 and 100, got 100.5"),
        bad(
            "negative percentage",
            YAML,
            yaml("percentage: 50", "percentage: -1"),
            400,
            "spec.fault.percentage: must be between 0 and 100"),
        bad(
            "percentage too precise",
            YAML,
            yaml("percentage: 50", "percentage: 12.345678"),
            400,
            "spec.fault.percentage: at most 4 decimal places"),
        bad(
            "fault without abort or delay",
            YAML,
            yaml("    abort: {httpStatus: 503}\n", ""),
            400,
            "spec.fault: needs abort, delay or both"),
        bad(
            "delay longer than 1h",
            YAML,
            yaml("abort: {httpStatus: 503}", "delay: {fixedDelay: 2h}"),
            400,
            "spec.fault.delay.fixedDelay: must be between 1ms and 1h"),
        bad(
            "delay not a duration",
            YAML,
            yaml("abort: {httpStatus: 503}", "delay: {fixedDelay: soon}"),
            400,
            "spec.fault.delay.fixedDelay: \\\"soon\\\" is not a duration"),
        bad(
            "zero maxInjections",
            YAML,
            yaml("percentage: 50", "percentage: 50\n    maxInjections: 0"),
            400,
            "spec.fault.maxInjections: must be at least 1"),
        bad(
            "fractional priority",
            YAML,
            yaml("spec:\n", "spec:\n  priority: 1.5\n"),
            400,
            "spec.priority: expected an integer"),
        bad(
            "bad duration",
            YAML,
            BASE + "  duration: forever\n",
            400,
            "spec.duration: \\\"forever\\\" is not a duration"),
        bad(
            "bad target node",
            YAML,
            yaml("spec:\n", "spec:\n  target: {nodes: [\"bad node\"]}\n"),
            400,
            "spec.target.nodes[0]: must be a node name"),
        bad(
            "nodes not a list",
            YAML,
            yaml("spec:\n", "spec:\n  target: {nodes: orders}\n"),
            400,
            "spec.target.nodes: expected a list"),
        bad(
            "wrong content type",
            "text/plain",
            BASE,
            415,
            "Content-Type must be application/json or application/yaml, got \\\"text/plain"),
        bad(
            "no content type",
            null,
            BASE,
            415,
            "Content-Type must be application/json or application/yaml, got none"),
        bad(
            "huge body",
            YAML,
            BASE + "#" + "x".repeat((int) MAX_BODY) + "\n",
            413,
            "the limit is 65536 bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void badBodyIsRejectedWithAHelpfulMessageAndTheStoreUnchanged(
      String what, String type, String body, int status, String message) {
    Answer post = f.send("POST", "/v1/policies", type, body);
    assertThat(post.status()).as(what).isEqualTo(status);
    assertThat(post.header("Content-Type")).as(what).startsWith("application/json");
    assertThat(post.body())
        .as(what)
        .contains(message)
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    Answer put = f.send("PUT", "/v1/policies/bad", type, body);
    assertThat(put.status()).as(what + " (PUT)").isEqualTo(status);
    assertThat(f.store.list()).as(what).isEqualTo(before);
  }

  @Test
  void everyProblemIsListedOnePerLineAndInProblemsWrongTypesIncluded() throws Exception {
    String body =
        yaml("name: bad", "name: Bad_Name")
            .replace("percentage: 50", "percentage: \"abc\"")
            .replace("httpStatus: 503", "httpStatus: 700");
    List<String> expected =
        List.of(
            "spec.fault.percentage: expected a number, got \"abc\"",
            "metadata.name: must be a DNS-1123 label (lower-case letters, digits and '-', starting"
                + " and ending with a letter or digit, at most 63 characters), got \"Bad_Name\"",
            "spec.fault.abort.httpStatus: must be in [200, 600), got 700");
    Answer post = f.send("POST", "/v1/policies", YAML, body);
    assertThat(post.status()).isEqualTo(400);
    JsonNode error = new ObjectMapper().readTree(post.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("Invalid");
    assertThat(error.path("message").asText().lines()).containsExactlyElementsOf(expected);
    assertThat(error.path("problems"))
        .extracting(JsonNode::asText)
        .containsExactlyElementsOf(expected);
    assertThatThrownBy(() -> f.client.apply(body, PolicyCodec.Format.YAML))
        .isInstanceOfSatisfying(
            InvalidPolicyException.class,
            e -> assertThat(e.problems()).containsExactlyElementsOf(expected));
    assertThat(f.store.list()).isEqualTo(before);
  }

  @Test
  void invalidUtf8IsRejected() {
    okhttp3.OkHttpClient http = new okhttp3.OkHttpClient();
    byte[] body = {(byte) 0xC3, (byte) 0x28};
    okhttp3.Request req =
        new okhttp3.Request.Builder()
            .url(f.uri + "/v1/policies")
            .post(okhttp3.RequestBody.create(body, okhttp3.MediaType.get(JSON)))
            .build();
    try (okhttp3.Response r = http.newCall(req).execute()) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).contains("body: not valid UTF-8");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(f.store.list()).isEqualTo(before);
  }

  @Test
  void badNamesInTheUrlAre400() {
    for (String method : List.of("GET", "DELETE")) {
      Answer a = f.send(method, "/v1/policies/Bad_Name", null, null);
      assertThat(a.status()).as(method).isEqualTo(400);
      assertThat(a.body()).contains("name in the URL: must be a DNS-1123 label");
    }
    assertThat(f.store.list()).isEqualTo(before);
  }

  @Test
  void badLongPollParametersAre400() {
    Answer noInstance = f.get("/v1/config/stream?node=n&version=0");
    assertThat(noInstance.status()).isEqualTo(400);
    assertThat(noInstance.body()).contains("query parameter instance: required");
    Answer badVersion = f.get("/v1/config/stream?node=n&instance=i&version=latest");
    assertThat(badVersion.status()).isEqualTo(400);
    assertThat(badVersion.body()).contains("query parameter version: expected a rule-set version");
    Answer badWait = f.get("/v1/config/stream?node=n&instance=i&version=0&wait=forever");
    assertThat(badWait.status()).isEqualTo(400);
    assertThat(badWait.body()).contains("query parameter wait");
    assertThat(f.client.nodes().items()).isEmpty();
  }
}
