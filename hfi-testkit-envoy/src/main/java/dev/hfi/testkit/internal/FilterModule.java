package dev.hfi.testkit.internal;

import dev.hfi.filter.HfiFilterWasm;
import dev.hfi.testkit.TestkitException;
import dev.hfi.testkit.TestkitException.Code;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code hfi-filter.wasm} a data plane runs: a file the user named, or the classpath's. */
public final class FilterModule {

  private FilterModule() {}

  /**
   * The bytes of {@code file}, or of the filter on the classpath when {@code file} is null.
   *
   * @throws TestkitException {@code FILTER_NOT_FOUND} when it cannot be read or is no Wasm module
   */
  public static byte[] bytes(Path file) {
    byte[] wasm;
    try {
      wasm = file != null ? Files.readAllBytes(file) : HfiFilterWasm.bytes();
    } catch (IOException e) {
      throw new TestkitException(
          Code.FILTER_NOT_FOUND,
          "withFilterWasm(" + file + "): cannot read it (" + e + "); pass a readable file",
          e);
    } catch (IllegalStateException e) {
      throw new TestkitException(
          Code.FILTER_NOT_FOUND,
          e.getMessage() + "; or call withFilterWasm(path) with the hfi-filter.wasm to run",
          e);
    }
    if (wasm.length < 4 || wasm[0] != 0 || wasm[1] != 'a' || wasm[2] != 's' || wasm[3] != 'm') {
      throw new TestkitException(
          Code.FILTER_NOT_FOUND,
          (file != null ? file.toString() : HfiFilterWasm.RESOURCE)
              + " is not a WebAssembly module (it does not start with \\0asm); pass the"
              + " hfi-filter.wasm built by hfi-wasm-filter");
    }
    return wasm;
  }
}
