package dev.hfi.filter.abi;

import org.teavm.backend.wasm.WasmHeap;
import org.teavm.interop.Address;

/**
 * Linear memory the host writes into, kept outside TeaVM's garbage-collected heap.
 *
 * <p>TeaVM's GC moves objects, so a pointer handed to the host must never point into a Java array.
 * The build fixes TeaVM's heap size, so TeaVM never grows memory; everything above {@code
 * WasmHeap.memoryLimit} is ours: a few scratch words for return values, then a bump arena that
 * grows memory on demand. Callers copy what the host wrote into Java arrays at once and {@link
 * #reset} the arena; nothing here allocates Java objects (the host calls {@link #allocate} in the
 * middle of our host calls). Single-threaded, like the VM.
 */
public final class Memory {
  private static final int PAGE = 65536;
  private static final int SCRATCH = 64;

  private static int base;
  private static int top;
  private static int limit;

  private Memory() {}

  private static void init() {
    if (base == 0) {
      base = (int) WasmHeap.memoryLimit.toLong();
      limit = base;
      ensure(base + SCRATCH);
      top = base + SCRATCH;
    }
  }

  /** Address of scratch word {@code i} (0..7), 8 bytes each, for host return values. */
  public static int scratch(int i) {
    init();
    return base + 8 * i;
  }

  /** Backs {@code proxy_on_memory_allocate}: 8-byte aligned, never inside the Java heap. */
  public static int allocate(int size) {
    init();
    int p = top;
    int end = p + ((Math.max(size, 1) + 7) & ~7);
    ensure(end);
    top = end;
    return p;
  }

  /** Releases everything allocated: all host-written blocks have been copied out. */
  public static void reset() {
    if (base != 0) {
      top = base + SCRATCH;
    }
  }

  private static void ensure(int end) {
    if (end > limit) {
      int pages = (end - limit + PAGE - 1) / PAGE;
      WasmHeap.growMemory(pages);
      limit += pages * PAGE;
    }
  }

  public static int getInt(int address) {
    return Address.fromInt(address).getInt();
  }

  public static long getLong(int address) {
    return Address.fromInt(address).getLong();
  }

  /** Copies {@code size} bytes at {@code address} into {@code dst[0, size)}. */
  public static void copyOut(int address, byte[] dst, int size) {
    if (size > 0) {
      Address.moveMemoryBlock(Address.fromInt(address), Address.ofData(dst), size);
    }
  }

  /** Address of an array's first element; valid only until the next Java allocation. */
  public static int addressOf(byte[] data) {
    return data.length == 0 ? 0 : Address.ofData(data).toInt();
  }
}
