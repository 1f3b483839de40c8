package dev.hfi.client.internal;

import java.time.Duration;

/**
 * {@link dev.hfi.client.Durations#parse} for the two hand-written entry points ({@code
 * ControlPlaneMain}, {@code StoreOptions}) that issue 16 removes; goes with them. New code uses
 * {@link dev.hfi.client.Durations}.
 */
public final class Durations {
  private Durations() {}

  /** {@code text} read by {@link dev.hfi.client.Durations#parse}, or null when it is not one. */
  public static Duration parse(String text) {
    return dev.hfi.client.Durations.check("duration", text) == null
        ? dev.hfi.client.Durations.parse(text)
        : null;
  }
}
