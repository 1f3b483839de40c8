package dev.hfi.cli;

/** Policy documents the tests apply. */
final class Policies {
  private Policies() {}

  static String abort(String name, String prefix, int status) {
    return """
        apiVersion: hfi.dev/v1alpha1
        kind: FaultInjectionPolicy
        metadata:
          name: %s
        spec:
          match:
            path: {prefix: %s}
          fault:
            abort: {httpStatus: %d}
        """
        .formatted(name, prefix, status);
  }

  static String delay(String name, String delay) {
    return """
        apiVersion: hfi.dev/v1alpha1
        kind: FaultInjectionPolicy
        metadata:
          name: %s
        spec:
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
        .formatted(name, delay);
  }
}
