package dev.hfi.filter.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MatcherTest {
  private final RequestHeaders req = new RequestHeaders();

  private RequestHeaders request(String... pairs) {
    byte[] encoded = RequestHeaders.encode(pairs);
    System.arraycopy(encoded, 0, req.buffer(encoded.length), 0, encoded.length);
    req.reset(encoded.length);
    return req;
  }

  private static RuleSet rules(String rulesJson) {
    return RuleSetDecoder.decode("{\"version\":1,\"rules\":[" + rulesJson + "]}", "node-a");
  }

  private static String rule(String policy, String conditions) {
    return "{\"policy\":\""
        + policy
        + "\""
        + (conditions.isEmpty() ? "" : "," + conditions)
        + ",\"abort\":{\"httpStatus\":503}}";
  }

  private String matched(RuleSet rs, String... pairs) {
    Rule r = rs.match(request(pairs), 1000);
    return r == null ? null : r.policy();
  }

  @Test
  void pathExactIgnoresQueryString() {
    RuleSet rs = rules(rule("p", "\"path\":{\"exact\":\"/a\"}"));
    assertThat(matched(rs, ":path", "/a")).isEqualTo("p");
    assertThat(matched(rs, ":path", "/a?x=1")).isEqualTo("p");
    assertThat(matched(rs, ":path", "/ab")).isNull();
    assertThat(matched(rs, ":method", "GET")).isNull();
  }

  @Test
  void pathPrefix() {
    RuleSet rs = rules(rule("p", "\"path\":{\"prefix\":\"/api/\"}"));
    assertThat(matched(rs, ":path", "/api/orders")).isEqualTo("p");
    assertThat(matched(rs, ":path", "/api")).isNull();
    assertThat(matched(rs, ":path", "/other/api/")).isNull();
  }

  @Test
  void pathRegexMatchesWholePath() {
    RuleSet rs = rules(rule("p", "\"path\":{\"regex\":\"/orders/[0-9]+\"}"));
    assertThat(matched(rs, ":path", "/orders/42")).isEqualTo("p");
    assertThat(matched(rs, ":path", "/orders/42/items")).isNull();
    assertThat(matched(rs, ":path", "/orders/x")).isNull();
  }

  @Test
  void methodExactPrefixAndRegex() {
    assertThat(matched(rules(rule("p", "\"method\":{\"exact\":\"POST\"}")), ":method", "POST"))
        .isEqualTo("p");
    assertThat(matched(rules(rule("p", "\"method\":{\"exact\":\"POST\"}")), ":method", "GET"))
        .isNull();
    assertThat(matched(rules(rule("p", "\"method\":{\"prefix\":\"PU\"}")), ":method", "PUT"))
        .isEqualTo("p");
    assertThat(matched(rules(rule("p", "\"method\":{\"regex\":\"GET|HEAD\"}")), ":method", "HEAD"))
        .isEqualTo("p");
  }

  @Test
  void headerKinds() {
    RuleSet exact = rules(rule("p", "\"headers\":[{\"name\":\"x-user\",\"exact\":\"test\"}]"));
    assertThat(matched(exact, "x-user", "test")).isEqualTo("p");
    assertThat(matched(exact, "x-user", "tester")).isNull();
    assertThat(matched(exact, "x-other", "test")).isNull();

    RuleSet prefix = rules(rule("p", "\"headers\":[{\"name\":\"x-user\",\"prefix\":\"te\"}]"));
    assertThat(matched(prefix, "x-user", "tester")).isEqualTo("p");
    assertThat(matched(prefix, "x-user", "admin")).isNull();

    RuleSet regex = rules(rule("p", "\"headers\":[{\"name\":\"x-id\",\"regex\":\"[a-f]{3}\"}]"));
    assertThat(matched(regex, "x-id", "abc")).isEqualTo("p");
    assertThat(matched(regex, "x-id", "abz")).isNull();

    RuleSet present = rules(rule("p", "\"headers\":[{\"name\":\"x-canary\",\"present\":true}]"));
    assertThat(matched(present, "x-canary", "")).isEqualTo("p");
    assertThat(matched(present, "x-canaryx", "1")).isNull();
  }

  @Test
  void headerMatchesAnyOfRepeatedValues() {
    RuleSet rs = rules(rule("p", "\"headers\":[{\"name\":\"x-tag\",\"exact\":\"b\"}]"));
    assertThat(matched(rs, "x-tag", "a", "x-tag", "b")).isEqualTo("p");
  }

  @Test
  void allConditionsMustHold() {
    RuleSet rs =
        rules(
            rule(
                "p",
                "\"path\":{\"prefix\":\"/api\"},\"method\":{\"exact\":\"POST\"},"
                    + "\"headers\":[{\"name\":\"x-user\",\"exact\":\"test\"},"
                    + "{\"name\":\"x-canary\",\"present\":true}]"));
    assertThat(matched(rs, ":path", "/api", ":method", "POST", "x-user", "test", "x-canary", "1"))
        .isEqualTo("p");
    assertThat(matched(rs, ":path", "/api", ":method", "GET", "x-user", "test", "x-canary", "1"))
        .isNull();
    assertThat(matched(rs, ":path", "/api", ":method", "POST", "x-user", "test")).isNull();
    assertThat(matched(rs, ":path", "/x", ":method", "POST", "x-user", "test", "x-canary", "1"))
        .isNull();
  }

  @Test
  void firstMatchingRuleInRuleSetOrderWins() {
    RuleSet rs =
        rules(
            rule("high", "\"path\":{\"prefix\":\"/api/orders\"}")
                + ","
                + rule("low", "\"path\":{\"prefix\":\"/api\"}"));
    assertThat(matched(rs, ":path", "/api/orders")).isEqualTo("high");
    assertThat(matched(rs, ":path", "/api/users")).isEqualTo("low");
  }

  @Test
  void ruleSetOrderWinsAcrossIndexedAndUnindexedRules() {
    RuleSet rs =
        rules(
            rule("exact", "\"path\":{\"exact\":\"/api/orders/1\"}")
                + ","
                + rule("regex", "\"path\":{\"regex\":\"/api/.*\"}")
                + ","
                + rule("long-prefix", "\"path\":{\"prefix\":\"/api/orders\"}")
                + ","
                + rule("root-prefix", "\"path\":{\"prefix\":\"/\"}")
                + ","
                + rule("get-anything", "\"method\":{\"exact\":\"GET\"}"));
    assertThat(matched(rs, ":path", "/api/orders/1")).isEqualTo("exact");
    assertThat(matched(rs, ":path", "/api/orders/2")).isEqualTo("regex");
    assertThat(matched(rs, ":path", "/apix/orders")).isEqualTo("root-prefix");
    assertThat(matched(rs, ":path", "x", ":method", "GET")).isEqualTo("get-anything");
    assertThat(matched(rs, ":method", "GET")).isEqualTo("get-anything");
    assertThat(matched(rs, ":path", "x", ":method", "PUT")).isNull();
  }

  @Test
  void samePathDifferentMethodsFallThroughToTheNextRule() {
    RuleSet rs =
        rules(
            rule("post", "\"path\":{\"prefix\":\"/a\"},\"method\":{\"exact\":\"POST\"}")
                + ","
                + rule("any", "\"path\":{\"prefix\":\"/a\"}"));
    assertThat(matched(rs, ":path", "/a", ":method", "POST")).isEqualTo("post");
    assertThat(matched(rs, ":path", "/a", ":method", "GET")).isEqualTo("any");
  }

  @Test
  void fullHeaderMapIsReadOnlyWhenACandidateRuleNeedsIt() {
    RuleSet rs =
        rules(rule("orders", "\"path\":{\"prefix\":\"/orders\"},\"method\":{\"exact\":\"GET\"}"));
    int[] loads = {0};
    byte[] full = RequestHeaders.encode(":path", "/orders/1", ":method", "GET");
    RequestHeaders.Loader loader =
        into -> {
          loads[0]++;
          System.arraycopy(full, 0, into.buffer(full.length), 0, full.length);
          into.reset(full.length);
        };
    RequestHeaders lazy = new RequestHeaders();

    byte[] miss = "/users?orders".getBytes();
    System.arraycopy(miss, 0, lazy.pathBuffer(miss.length), 0, miss.length);
    lazy.resetLazy(miss.length, loader);
    assertThat(rs.match(lazy, 0)).isNull();
    assertThat(loads[0]).isZero();

    byte[] hit = "/orders/1".getBytes();
    System.arraycopy(hit, 0, lazy.pathBuffer(hit.length), 0, hit.length);
    lazy.resetLazy(hit.length, loader);
    assertThat(rs.match(lazy, 0).policy()).isEqualTo("orders");
    assertThat(loads[0]).isEqualTo(1);

    lazy.resetLazy(-1, loader);
    assertThat(rs.match(lazy, 0)).isNull();
  }

  @Test
  void ruleWithoutConditionsMatchesEverything() {
    assertThat(matched(rules(rule("all", "")), ":path", "/anything")).isEqualTo("all");
  }

  @Test
  void emptyRuleSetMatchesNothing() {
    RuleSet rs = RuleSetDecoder.decode("{\"version\":3,\"rules\":[]}", "node-a");
    assertThat(rs.size()).isZero();
    assertThat(rs.version()).isEqualTo(3);
    assertThat(matched(rs, ":path", "/")).isNull();
    assertThat(RuleSet.EMPTY.match(request(":path", "/"), 0)).isNull();
  }

  @Test
  void rulesForOtherNodesAreDropped() {
    RuleSet rs =
        rules(
            rule("other", "\"nodes\":[\"node-b\"]")
                + ","
                + rule("ours", "\"nodes\":[\"node-b\",\"node-a\"]")
                + ","
                + rule("everyone", "\"nodes\":[]"));
    assertThat(rs.size()).isEqualTo(2);
    assertThat(matched(rs, ":path", "/")).isEqualTo("ours");
  }

  @Test
  void expiredRulesAreSkipped() {
    RuleSet rs = rules(rule("expiring", "\"expiresAtMs\":5000") + "," + rule("forever", ""));
    assertThat(rs.hasExpiringRules()).isTrue();
    assertThat(rs.match(request(":path", "/"), 4999).policy()).isEqualTo("expiring");
    assertThat(rs.match(request(":path", "/"), 5000).policy()).isEqualTo("forever");
  }

  @Test
  void abortCarriesPreEncodedHeadersWithFaultMarker() {
    RuleSet rs =
        RuleSetDecoder.decode(
            "{\"version\":1,\"rules\":[{\"policy\":\"p\",\"abort\":{\"httpStatus\":418,"
                + "\"body\":\"tea\",\"headers\":[[\"retry-after\",\"2\"]]},\"delayMs\":5}]}",
            "n");
    Rule.Abort a = rs.rule(0).abort();
    assertThat(a.httpStatus()).isEqualTo(418);
    assertThat(a.grpcStatus()).isEqualTo(-1);
    assertThat(new String(a.body())).isEqualTo("tea");
    assertThat(a.headerMap())
        .isEqualTo(RequestHeaders.encode("retry-after", "2", "x-hfi-fault", "p"));
    assertThat(rs.rule(0).delayMs()).isEqualTo(5);
    assertThat(rs.rule(0).maxInjections()).isEqualTo(Rule.UNLIMITED);
  }
}
