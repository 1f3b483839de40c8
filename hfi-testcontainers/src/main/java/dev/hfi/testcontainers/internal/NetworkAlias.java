package dev.hfi.testcontainers.internal;

import org.testcontainers.containers.GenericContainer;

/**
 * The name other containers on a network use for a container: the first alias it was given,
 * skipping the random {@code tc-...} one Testcontainers adds to every container on a network.
 */
public final class NetworkAlias {
  private NetworkAlias() {}

  /** The first alias given to {@code container}, or null when none was. */
  public static String given(GenericContainer<?> container) {
    return container.getNetworkAliases().stream()
        .filter(a -> !a.startsWith("tc-"))
        .findFirst()
        .orElse(null);
  }

  /** The first alias given to {@code container}, else {@code fallback}. */
  public static String orElse(GenericContainer<?> container, String fallback) {
    String alias = given(container);
    return alias != null ? alias : fallback;
  }
}
