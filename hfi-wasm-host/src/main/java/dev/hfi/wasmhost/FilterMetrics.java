package dev.hfi.wasmhost;

import io.roastedroot.proxywasm.MetricType;
import io.roastedroot.proxywasm.MetricsHandler;
import io.roastedroot.proxywasm.WasmException;
import io.roastedroot.proxywasm.internal.WasmResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The counters and gauges a VM's filter defined ({@code proxy_define_metric}), by name, readable at
 * any time. Thread-safe.
 */
public final class FilterMetrics {
  private final List<String> names = new ArrayList<>();
  private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();
  private final MetricsHandler handler = new Handler();

  FilterMetrics() {}

  /** The value of a metric, 0 if the filter never defined it. */
  public long value(String name) {
    AtomicLong v = values.get(name);
    return v == null ? 0 : v.get();
  }

  /** Every metric the filter defined, by name. */
  public Map<String, Long> snapshot() {
    Map<String, Long> copy = new LinkedHashMap<>();
    values.forEach((k, v) -> copy.put(k, v.get()));
    return Collections.unmodifiableMap(copy);
  }

  MetricsHandler handler() {
    return handler;
  }

  private synchronized AtomicLong metric(int id) {
    return id >= 0 && id < names.size() ? values.get(names.get(id)) : null;
  }

  private final class Handler implements MetricsHandler {
    @Override
    public int defineMetric(MetricType type, String name) {
      synchronized (FilterMetrics.this) {
        int id = names.indexOf(name);
        if (id < 0) {
          names.add(name);
          values.putIfAbsent(name, new AtomicLong());
          id = names.size() - 1;
        }
        return id;
      }
    }

    @Override
    public WasmResult incrementMetric(int id, long value) {
      return update(id, v -> v.addAndGet(value));
    }

    @Override
    public WasmResult recordMetric(int id, long value) {
      return update(id, v -> v.set(value));
    }

    private WasmResult update(int id, Consumer<AtomicLong> change) {
      AtomicLong v = metric(id);
      if (v == null) {
        return WasmResult.NOT_FOUND;
      }
      change.accept(v);
      return WasmResult.OK;
    }

    @Override
    public long getMetric(int id) throws WasmException {
      AtomicLong v = metric(id);
      if (v == null) {
        throw new WasmException(WasmResult.NOT_FOUND);
      }
      return v.get();
    }
  }
}
