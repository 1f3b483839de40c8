package dev.hfi.filter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;

/**
 * The HFI fault filter as a proxy-wasm module ({@code hfi-filter.wasm}, ABI 0.2.1), shipped in this
 * jar at {@value #RESOURCE}. Envoy loads the same bytes unchanged; the embedded data plane runs
 * them on Chicory, preferably through the build-time-compiled machine {@code
 * dev.hfi.filter.CompiledHfiFilter} generated into this jar ({@code CompiledHfiFilter.load()} gives
 * the module, {@code CompiledHfiFilter::create} the machine factory).
 *
 * <p>Thread-safe: every call reads the resource afresh.
 *
 * <pre>{@code
 * byte[] wasm = HfiFilterWasm.bytes();
 * Files.write(dir.resolve("hfi-filter.wasm"), wasm);   // e.g. to mount into an Envoy container
 * }</pre>
 */
public final class HfiFilterWasm {
  /** Classpath resource of the module. */
  public static final String RESOURCE = "/dev/hfi/filter/hfi-filter.wasm";

  private HfiFilterWasm() {}

  /** The module's bytes. */
  public static byte[] bytes() {
    try (InputStream in = HfiFilterWasm.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(missing());
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /** Where the module is on the classpath (a {@code jar:} or {@code file:} URL). */
  public static URL url() {
    URL url = HfiFilterWasm.class.getResource(RESOURCE);
    if (url == null) {
      throw new IllegalStateException(missing());
    }
    return url;
  }

  private static String missing() {
    return RESOURCE
        + " is not on the classpath: depend on dev.hfi:hfi-wasm-filter's jar"
        + " (built by `mvn package`), not on its classes folder before process-classes";
  }
}
