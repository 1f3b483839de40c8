package dev.hfi.client;

import java.util.List;

/**
 * Every policy at one store revision, as {@code GET /v1/policies} lists them.
 *
 * @param revision the store revision the list was read at
 * @param items the policies, sorted by name
 */
public record PolicySnapshot(long revision, List<FaultInjectionPolicy> items) {
  public PolicySnapshot {
    items = List.copyOf(items);
  }
}
