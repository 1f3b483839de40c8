package dev.hfi.filter.internal.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.teavm.diagnostics.Problem;
import org.teavm.diagnostics.ProblemSeverity;
import org.teavm.tooling.ConsoleTeaVMToolLog;
import org.teavm.tooling.TeaVMProblemRenderer;
import org.teavm.tooling.TeaVMTargetType;
import org.teavm.tooling.TeaVMTool;
import org.teavm.tooling.TeaVMToolException;
import org.teavm.vm.TeaVMOptimizationLevel;

/**
 * Build-time runner: compiles a filter entry class with TeaVM into a proxy-wasm module.
 *
 * <p>Run by exec-maven-plugin in {@code process-classes} with the entry class and the output file
 * as arguments. TeaVM's heap starts small and its GC grows it (never shrinks it) up to {@link
 * #MAX_HEAP_BYTES} as the rule set needs; the host allocator ({@code
 * dev.hfi.filter.internal.abi.Memory}) keeps its arena above whatever TeaVM uses. TeaVM declares
 * the memory maximum as what its own maximum heap needs, so the module's memory section is
 * rewritten without a maximum, letting that allocator grow memory past it.
 */
public final class TeaVmBuild {

  /** TeaVM heap at start: what a VM costs with an empty or small rule set. */
  public static final int MIN_HEAP_BYTES = 4 << 20;

  /**
   * Largest TeaVM heap. Decoding a rule set of {@code FilterRoot.MAX_RULE_SET_BYTES} fits in it
   * with room to spare; linear memory reaches about 1/16 more (TeaVM's GC tables) plus the arena.
   */
  public static final int MAX_HEAP_BYTES = 512 << 20;

  private TeaVmBuild() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: TeaVmBuild <entry class> <output .wasm file>");
    }
    build(args[0], Path.of(args[1]), TeaVmBuild.class.getClassLoader());
  }

  /** Compiles {@code entryClass} (found through {@code classLoader}) into {@code output}. */
  public static void build(String entryClass, Path output, ClassLoader classLoader)
      throws IOException {
    Path dir = output.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    TeaVMTool tool = new TeaVMTool();
    tool.setTargetType(TeaVMTargetType.WEBASSEMBLY_WASI);
    tool.setMainClass(entryClass);
    tool.setTargetDirectory(dir.toFile());
    tool.setTargetFileName(output.getFileName().toString());
    tool.setClassLoader(classLoader);
    tool.setOptimizationLevel(TeaVMOptimizationLevel.FULL);
    tool.setMinHeapSize(MIN_HEAP_BYTES);
    tool.setMaxHeapSize(MAX_HEAP_BYTES);
    tool.setObfuscated(true);
    tool.setDebugInformationGenerated(false);
    tool.setLog(new ConsoleTeaVMToolLog(false));
    try {
      tool.generate();
    } catch (TeaVMToolException e) {
      throw new IOException("TeaVM failed to compile " + entryClass, e);
    }
    boolean severe = false;
    for (Problem problem : tool.getProblemProvider().getProblems()) {
      severe |= problem.getSeverity() == ProblemSeverity.ERROR;
    }
    if (severe) {
      TeaVMProblemRenderer.describeProblems(
          tool.getDependencyInfo().getCallGraph(), tool.getProblemProvider(), tool.getLog());
      throw new IOException("TeaVM reported errors compiling " + entryClass + " (see above)");
    }
    Files.write(output, unboundMemory(Files.readAllBytes(output)));
  }

  /**
   * Rewrites the memory section so that the memory has no declared maximum.
   *
   * @throws IllegalArgumentException if the module has no memory section of its own
   */
  static byte[] unboundMemory(byte[] wasm) {
    var out = new ByteArrayOutputStream(wasm.length);
    out.write(wasm, 0, 8);
    int pos = 8;
    boolean patched = false;
    while (pos < wasm.length) {
      int id = wasm[pos++] & 0xff;
      long[] size = readLeb(wasm, pos);
      int contentStart = pos + (int) size[1];
      int contentEnd = contentStart + (int) size[0];
      if (id == 5) {
        var section = new ByteArrayOutputStream();
        long[] count = readLeb(wasm, contentStart);
        int p = contentStart + (int) count[1];
        writeLeb(section, count[0]);
        for (long i = 0; i < count[0]; i++) {
          int flags = wasm[p++] & 0xff;
          long[] min = readLeb(wasm, p);
          p += (int) min[1];
          if ((flags & 1) != 0) {
            p += (int) readLeb(wasm, p)[1];
          }
          section.write(flags & ~1);
          writeLeb(section, min[0]);
        }
        out.write(id);
        writeLeb(out, section.size());
        out.writeBytes(section.toByteArray());
        patched = true;
      } else {
        out.write(wasm, pos - 1, contentEnd - pos + 1);
      }
      pos = contentEnd;
    }
    if (!patched) {
      throw new IllegalArgumentException("module has no memory section to patch");
    }
    return out.toByteArray();
  }

  private static long[] readLeb(byte[] b, int pos) {
    long value = 0;
    int shift = 0;
    int n = 0;
    int x;
    do {
      x = b[pos + n++] & 0xff;
      value |= (long) (x & 0x7f) << shift;
      shift += 7;
    } while ((x & 0x80) != 0);
    return new long[] {value, n};
  }

  private static void writeLeb(ByteArrayOutputStream out, long value) {
    do {
      int x = (int) (value & 0x7f);
      value >>>= 7;
      out.write(value != 0 ? x | 0x80 : x);
    } while (value != 0);
  }
}
