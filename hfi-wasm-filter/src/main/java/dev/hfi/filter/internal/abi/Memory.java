package dev.hfi.filter.internal.abi;

import org.teavm.backend.wasm.WasmHeap;
import org.teavm.interop.Address;

/**
 * Linear memory the host writes into, kept outside TeaVM's garbage-collected heap.
 *
 * <p>TeaVM's GC moves objects, so a pointer handed to the host must never point into a Java array.
 * Everything above {@code WasmHeap.memoryLimit} is ours: a few scratch words for return values,
 * then a bump arena that grows memory on demand. TeaVM grows its heap itself when a collection
 * leaves too little free ({@code WasmHeap.resizeHeap}): it grows memory by exactly as many pages as
 * it moves {@code memoryLimit} up, and lays its new region, card and storage tables over what was
 * the arena. So whenever {@code memoryLimit} has moved, the arena starts again at the new limit,
 * keeping the pages it had grown beyond it.
 *
 * <p>The consequence for callers: a Java allocation while a host-written block is still in the
 * arena may resize the heap and overwrite the block. Callers copy blocks out at once, and when they
 * must allocate the destination first they compare {@link #heapMark} before and after and repeat
 * the (side-effect free) host read if it moved. Nothing here allocates Java objects: the host calls
 * {@link #allocate} in the middle of our host calls. Single-threaded, like the VM.
 */
public final class Memory {
  private static final int PAGE = 65536;
  private static final int SCRATCH = 64;

  /** Start of the arena: {@code WasmHeap.memoryLimit} when the arena was last placed. */
  private static int base;

  private static int top;

  /** End of linear memory (its size in bytes). */
  private static int limit;

  private Memory() {}

  /**
   * Places the arena at TeaVM's current memory limit. Linear memory always ends at that limit plus
   * the pages the arena has grown: at start-up memory ends at the limit, TeaVM's growth moves both
   * by the same amount, and the arena's growth moves only the end.
   */
  private static void place() {
    int heapEnd = heapMark();
    if (heapEnd != base) {
      limit = base == 0 ? heapEnd : limit + (heapEnd - base);
      base = heapEnd;
      top = base + SCRATCH;
      ensure(top);
    }
  }

  /**
   * TeaVM's memory limit, which moves up when its heap grows: compare it before and after a Java
   * allocation to learn whether arena contents survived it.
   */
  public static int heapMark() {
    return (int) WasmHeap.memoryLimit.toLong();
  }

  /** Address of scratch word {@code i} (0..7), 8 bytes each, for host return values. */
  public static int scratch(int i) {
    place();
    return base + 8 * i;
  }

  /** Backs {@code proxy_on_memory_allocate}: 8-byte aligned, never inside the Java heap. */
  public static int allocate(int size) {
    place();
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
