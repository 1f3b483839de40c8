package dev.hfi.filter.internal.context;

import dev.hfi.filter.internal.host.Host;
import java.util.HashMap;
import java.util.Map;

/**
 * The filter's metrics, defined through the proxy-wasm metric calls (Envoy stats). Names are part
 * of the filter's contract (docs/FILTER.md). One instance per VM; single-threaded.
 */
public final class Metrics {
  public static final String ABORTS = "hfi.faults.aborts_total";
  public static final String DELAYS = "hfi.faults.delays_total";
  public static final String RULESET_VERSION = "hfi.ruleset.version";
  public static final String CONFIG_ERRORS = "hfi.config.errors_total";
  public static final String FILTER_ERRORS = "hfi.filter.errors_total";

  /** Per-policy injection counter: {@code hfi.policy.<policy>.injections_total}. */
  public static String injections(String policy) {
    return "hfi.policy." + policy + ".injections_total";
  }

  private static final int COUNTER = 0;
  private static final int GAUGE = 1;

  private static int aborts = -1;
  private static int delays = -1;
  private static int version = -1;
  private static int configErrors = -1;
  private static int filterErrors = -1;
  private static boolean defined;
  private static final Map<String, Integer> perPolicy = new HashMap<>();

  private Metrics() {}

  static void define() {
    if (defined) {
      return;
    }
    defined = true;
    aborts = Host.defineMetric(COUNTER, ABORTS);
    delays = Host.defineMetric(COUNTER, DELAYS);
    version = Host.defineMetric(GAUGE, RULESET_VERSION);
    configErrors = Host.defineMetric(COUNTER, CONFIG_ERRORS);
    filterErrors = Host.defineMetric(COUNTER, FILTER_ERRORS);
  }

  static void abort() {
    Host.incrementMetric(aborts, 1);
  }

  static void delay() {
    Host.incrementMetric(delays, 1);
  }

  static void version(long v) {
    Host.recordMetric(version, v);
  }

  static void configError() {
    Host.incrementMetric(configErrors, 1);
  }

  /** Counts an exception caught at the ABI boundary; never throws. */
  public static void filterError() {
    Host.incrementMetric(filterErrors, 1);
  }

  static void injection(String policy) {
    Integer id = perPolicy.get(policy);
    if (id == null) {
      id = Host.defineMetric(COUNTER, injections(policy));
      perPolicy.put(policy, id);
    }
    Host.incrementMetric(id, 1);
  }
}
