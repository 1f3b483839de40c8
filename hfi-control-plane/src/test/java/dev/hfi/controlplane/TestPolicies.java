package dev.hfi.controlplane;

import dev.hfi.controlplane.FaultInjectionPolicy.Abort;
import dev.hfi.controlplane.FaultInjectionPolicy.Fault;
import dev.hfi.controlplane.FaultInjectionPolicy.Match;
import dev.hfi.controlplane.FaultInjectionPolicy.Metadata;
import dev.hfi.controlplane.FaultInjectionPolicy.Spec;
import dev.hfi.controlplane.FaultInjectionPolicy.StringMatch;
import java.math.BigDecimal;

/** Small valid policies for tests. */
final class TestPolicies {
  private TestPolicies() {}

  /** Aborts {@code /api/<name>} with {@code status}. */
  static FaultInjectionPolicy abort(String name, int status) {
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
  static FaultInjectionPolicy expiring(String name, String duration) {
    FaultInjectionPolicy p = abort(name, 503);
    Spec s = p.spec();
    return FaultInjectionPolicy.of(
        p.metadata(), new Spec(s.priority(), s.target(), s.match(), s.fault(), duration));
  }

  static String yaml(String name, int status) {
    return """
        apiVersion: hfi.dev/v1alpha1
        kind: FaultInjectionPolicy
        metadata:
          name: %s
        spec:
          match:
            path: {prefix: /api/%s}
          fault:
            abort: {httpStatus: %d}
        """
        .formatted(name, name, status);
  }
}
