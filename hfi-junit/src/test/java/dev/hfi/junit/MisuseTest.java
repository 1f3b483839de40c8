package dev.hfi.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Misuse fails the class before anything starts, with an ExtensionConfigurationException naming the
 * annotation, its place and the attribute.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MisuseTest {

  @Test
  void unknownUpstream() {
    assertFailsWith(
        UnknownUpstream.class,
        "@InjectFault on UnknownUpstream.test(): upstream: unknown upstream \"payments\";"
            + " declared: [echo]");
  }

  @Test
  void invalidStatus() {
    assertFailsWith(
        InvalidStatus.class,
        "@InjectFault on InvalidStatus.test(): abort.httpStatus: invalid status 700: must be in"
            + " 200..599");
  }

  @Test
  void twoPathMatchers() {
    assertFailsWith(
        TwoPaths.class,
        "@InjectFault on TwoPaths.test(): path, pathRegex: give at most one path matcher");
  }

  @Test
  void policyFileThatDoesNotExist() {
    assertFailsWith(
        MissingPolicyFile.class,
        "@InjectFault on MissingPolicyFile.test(): policy: \"classpath:policies/nope.yaml\" does"
            + " not exist on the test class path");
  }

  @Test
  void policyFileThatDoesNotParse() {
    assertFailsWith(
        BrokenPolicyFile.class,
        "@InjectFault on BrokenPolicyFile.test(): policy: \"classpath:policies/broken.yaml\" is"
            + " not a valid policy:");
    assertFailsWith(BrokenPolicyFile.class, "unknownField");
  }

  @Test
  void noFault() {
    assertFailsWith(NoFault.class, "@InjectFault on NoFault: abort, delay: no fault");
  }

  @Test
  void bothWaysIn() {
    assertFailsWith(BothWaysIn.class, "use either @HfiTest or @RegisterExtension, not both");
  }

  @Test
  void theContainerStackWithAnExplicitEmbeddedDataPlane() {
    assertFailsWith(
        ContainersButEmbedded.class,
        "ContainersButEmbedded: stack = CONTAINERS runs Envoy on etcd, but the class"
            + " asks for dataPlane = EMBEDDED, store = DEFAULT; leave dataPlane and store at"
            + " DEFAULT, or use stack = IN_PROCESS");
  }

  @Test
  void badAckTimeout() {
    assertFailsWith(
        BadAckTimeout.class,
        "@HfiTest on BadAckTimeout: ackTimeout: \"soon\" is not a duration such as 500ms, 30s,"
            + " 1.5s or 1m30s");
  }

  @Test
  void everyBadHfiTestSettingIsNamedAtOnce() {
    assertFailsWith(
        BadNameAndAckTimeout.class,
        "@HfiTest on BadNameAndAckTimeout: upstreams: @Upstream(name): must be a DNS-1123 label"
            + " (lower-case letters, digits and '-', starting and ending with a letter or digit, at"
            + " most 63 characters), got \"Shop_1\"; it is also the data plane's node name, e.g."
            + " \"shop-1\"; ackTimeout: \"PT10S\" is ISO-8601; write it as 10s");
  }

  @Test
  void envoyModeNamesABadEnvoyBinaryAndHowToGetOne() {
    String before = System.getProperty("hfi.envoy.binary");
    System.setProperty("hfi.envoy.binary", "/nonexistent/envoy");
    try {
      assertFailsWith(
          Envoy.class,
          "dataPlane = ENVOY: system property hfi.envoy.binary names /nonexistent/envoy, which is"
              + " not an executable file; fix the path or install it with `python3 -m venv");
    } finally {
      if (before == null) {
        System.clearProperty("hfi.envoy.binary");
      } else {
        System.setProperty("hfi.envoy.binary", before);
      }
    }
  }

  @Test
  void builderNamesEveryBadSettingAtOnce() {
    assertFailsWith(
        BadBuilder.class,
        "BadBuilder: HfiExtension.newInstance(): withUpstream: \"a\" added twice; give each its own"
            + " name; withUpstream name: must be a DNS-1123 label (lower-case letters, digits and"
            + " '-', starting and ending with a letter or digit, at most 63 characters), got"
            + " \"Shop_1\"; it is also the data plane's node name, e.g. \"shop-1\";"
            + " withAckTimeout(0s): must be"
            + " positive, e.g. 10 s");
  }

  private static void assertFailsWith(Class<?> fixture, String messagePart) {
    EngineExecutionResults results = Fixtures.run(fixture);
    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(fixture),
                finishedWithFailure(
                    instanceOf(ExtensionConfigurationException.class),
                    message(m -> m.contains(messagePart)))));
    assertThat(results.testEvents().started().count()).isZero();
  }

  private static final String ECHO = "http://127.0.0.1:9";

  @Fixture
  @HfiTest(upstreams = @Upstream(name = "echo", url = ECHO))
  static class UnknownUpstream {
    @org.junit.jupiter.api.Test
    @InjectFault(upstream = "payments", abort = @Abort(httpStatus = 503))
    void test() {}
  }

  @Fixture
  @HfiTest(upstreams = @Upstream(name = "echo", url = ECHO))
  static class InvalidStatus {
    @org.junit.jupiter.api.Test
    @InjectFault(abort = @Abort(httpStatus = 700))
    void test() {}
  }

  @Fixture
  @HfiTest(upstreams = @Upstream(name = "echo", url = ECHO))
  static class TwoPaths {
    @org.junit.jupiter.api.Test
    @InjectFault(path = "/a", pathRegex = "/b.*", abort = @Abort(httpStatus = 503))
    void test() {}
  }

  @Fixture
  @HfiTest(upstreams = @Upstream(name = "echo", url = ECHO))
  static class MissingPolicyFile {
    @org.junit.jupiter.api.Test
    @InjectFault(policy = "classpath:policies/nope.yaml")
    void test() {}
  }

  @Fixture
  @HfiTest(upstreams = @Upstream(name = "echo", url = ECHO))
  static class BrokenPolicyFile {
    @org.junit.jupiter.api.Test
    @InjectFault(policy = "classpath:policies/broken.yaml")
    void test() {}
  }

  @Fixture
  @HfiTest(upstreams = @Upstream(name = "echo", url = ECHO))
  @InjectFault(path = "/x")
  static class NoFault {
    @org.junit.jupiter.api.Test
    void test() {}
  }

  @Fixture
  @HfiTest(upstreams = @Upstream(name = "echo", url = ECHO))
  static class BothWaysIn {
    @RegisterExtension
    static HfiExtension hfi =
        HfiExtension.newInstance().withUpstream("echo", java.net.URI.create(ECHO)).build();

    @org.junit.jupiter.api.Test
    void test() {}
  }

  @Fixture
  @HfiTest(
      upstreams = @Upstream(name = "echo", url = ECHO),
      stack = StackMode.CONTAINERS,
      dataPlane = DataPlaneMode.EMBEDDED)
  static class ContainersButEmbedded {
    @org.junit.jupiter.api.Test
    void test() {}
  }

  @Fixture
  @HfiTest(upstreams = @Upstream(name = "echo", url = ECHO), ackTimeout = "soon")
  static class BadAckTimeout {
    @org.junit.jupiter.api.Test
    void test() {}
  }

  @Fixture
  @HfiTest(upstreams = @Upstream(name = "Shop_1", url = ECHO), ackTimeout = "PT10S")
  static class BadNameAndAckTimeout {
    @org.junit.jupiter.api.Test
    void test() {}
  }

  @Fixture
  static class BadBuilder {
    @RegisterExtension
    static HfiExtension hfi =
        HfiExtension.newInstance()
            .withUpstream("a", java.net.URI.create("http://x"))
            .withUpstream("a", java.net.URI.create("http://y"))
            .withUpstream("Shop_1", java.net.URI.create("http://z"))
            .withAckTimeout(java.time.Duration.ZERO)
            .build();

    @org.junit.jupiter.api.Test
    void test() {}
  }

  @Fixture
  @HfiTest(upstreams = @Upstream(name = "echo", url = ECHO), dataPlane = DataPlaneMode.ENVOY)
  static class Envoy {
    @org.junit.jupiter.api.Test
    void test() {}
  }
}
