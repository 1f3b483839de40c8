package dev.hfi.filter.internal.context;

import dev.hfi.filter.internal.host.Host;

/** Reporting of exceptions caught at the ABI boundary: logged and counted, never rethrown. */
public final class FilterErrors {
  private FilterErrors() {}

  public static void report(String where, Throwable t) {
    try {
      Metrics.filterError();
      Host.log(Host.LOG_ERROR, "hfi: error in " + where + " (request continues): " + t);
    } catch (Throwable ignored) {
      // Reporting itself failed (the host refused a call): nothing more can be done safely.
    }
  }
}
