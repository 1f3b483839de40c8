package dev.hfi.client;

import dev.hfi.client.FaultInjectionPolicy.Abort;
import dev.hfi.client.FaultInjectionPolicy.Fault;
import dev.hfi.client.FaultInjectionPolicy.Match;
import dev.hfi.client.FaultInjectionPolicy.Metadata;
import dev.hfi.client.FaultInjectionPolicy.Spec;
import dev.hfi.client.FaultInjectionPolicy.StringMatch;
import java.math.BigDecimal;

/** Small valid policies for tests; shared with the other modules' tests through the test-jar. */
public final class TestPolicies {
  private TestPolicies() {}

  /** Aborts {@code /api/<name>} with {@code status}. */
  public static FaultInjectionPolicy abort(String name, int status) {
    return FaultInjectionPolicy.of(
        Metadata.named(name),
        new Spec(
            null,
            null,
            new Match(StringMatch.prefix("/api/" + name), null, null),
            new Fault(BigDecimal.valueOf(100), Abort.httpStatus(status), null, null),
            null));
  }

  /** The same spec with a duration. */
  public static FaultInjectionPolicy expiring(String name, String duration) {
    FaultInjectionPolicy p = abort(name, 503);
    Spec s = p.spec();
    return FaultInjectionPolicy.of(
        p.metadata(), new Spec(s.priority(), s.target(), s.match(), s.fault(), duration));
  }

  /** {@link #abort} as a YAML document. */
  public static String yaml(String name, int status) {
    return abortYaml(name, "/api/" + name, status);
  }

  /** A YAML policy aborting requests under {@code prefix} with {@code status}. */
  public static String abortYaml(String name, String prefix, int status) {
    return document(
        name,
        """
          match:
            path: {prefix: %s}
          fault:
            abort: {httpStatus: %d}
        """
            .formatted(prefix, status));
  }

  /**
   * A YAML policy using most of the model: priority, node targets, method and header matches, a
   * percentage, a fixed delay and a cap on injections.
   */
  public static String delayYaml(String name, String delay) {
    return document(
        name,
        """
          priority: 5
          target: {nodes: [orders-proxy, billing-proxy]}
          match:
            method: {exact: POST}
            headers:
              - {name: x-user, exact: test}
          fault:
            percentage: 50
            delay: {fixedDelay: %s}
            maxInjections: 2
        """
            .formatted(delay));
  }

  private static String document(String name, String spec) {
    return """
        apiVersion: hfi.dev/v1alpha1
        kind: FaultInjectionPolicy
        metadata:
          name: %s
        spec:
        """
            .formatted(name)
        + spec;
  }
}
