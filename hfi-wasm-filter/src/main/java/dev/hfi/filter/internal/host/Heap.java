package dev.hfi.filter.internal.host;

import org.teavm.backend.wasm.WasmHeap;
import org.teavm.runtime.GC;

/**
 * Grows TeaVM's heap ahead of large arrays.
 *
 * <p>TeaVM 0.13.1's GC grows the heap on its own, but not reliably for one allocation larger than
 * twice the live data: it grows the heap by exactly the missing amount rounded up to 8 bytes, and
 * an array whose size is 4 modulo 8 then finds a free chunk 4 bytes too large to fill exactly and
 * too small to split, and TeaVM traps with out of memory (seen from 2 MiB up with a 4 MiB heap).
 * Allocations much smaller than the live data always grow the heap by doubling, so {@link #reserve}
 * grows it with blocks of {@link #BLOCK} bytes, then lets a full collection free them, leaving room
 * for the large arrays that follow. Single-threaded, like the VM.
 */
public final class Heap {
  static final int BLOCK = 64 << 10;

  /** Keeps the blocks reachable while they are allocated, so no optimiser drops them. */
  private static byte[][] blocks;

  private Heap() {}

  /**
   * Makes sure that about {@code bytes} of arrays can be allocated next without TeaVM growing the
   * heap for any one of them. A no-op below one block or when twice that is free; else one or two
   * full collections, and the blocks' zeroing when the heap must grow.
   */
  public static void reserve(long bytes) {
    if (bytes < BLOCK || free() >= 2 * bytes) {
      return;
    }
    // After a full collection the count is exact and the free space compacted.
    System.gc();
    long free = free();
    if (free >= bytes) {
      return;
    }
    // The blocks fill the free space first, then the heap grows for the rest.
    blocks = new byte[(int) ((bytes + free) / BLOCK) + 1][];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = new byte[BLOCK];
    }
    blocks = null;
    // The collections that grew the heap promoted the blocks: only a full one frees them.
    System.gc();
  }

  /**
   * TeaVM's count of free heap bytes: exact after a collection, an estimate otherwise (allocations
   * since may take it below zero), so bounded by the heap.
   */
  private static long free() {
    return Math.min(Math.max(GC.getFreeMemory(), 0), WasmHeap.heapSize);
  }
}
