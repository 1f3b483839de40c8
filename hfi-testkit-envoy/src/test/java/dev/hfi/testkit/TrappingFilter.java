package dev.hfi.testkit;

import dev.hfi.filter.HfiFilterWasm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real {@code hfi-filter.wasm} with one change: the body of the function exported as {@code
 * proxy_on_request_headers} is replaced by {@code unreachable}, so every request traps the VM while
 * everything else (configuration, long polls, ACKs) works. What a data plane does with a filter
 * that fails is then observable from outside.
 */
final class TrappingFilter {
  private static final int IMPORT_SECTION = 2;
  private static final int EXPORT_SECTION = 7;
  private static final int CODE_SECTION = 10;
  private static final String TRAPPING_EXPORT = "proxy_on_request_headers";

  private TrappingFilter() {}

  /** Writes the trapping module into {@code dir} and returns its path. */
  static Path writeTo(Path dir) throws IOException {
    return Files.write(dir.resolve("hfi-filter-trapping.wasm"), trapping(HfiFilterWasm.bytes()));
  }

  static byte[] trapping(byte[] wasm) {
    int importedFunctions = 0;
    int target = -1;
    var out = new ByteArrayOutputStream(wasm.length);
    out.write(wasm, 0, 8);
    int pos = 8;
    while (pos < wasm.length) {
      int id = wasm[pos] & 0xff;
      int[] size = leb(wasm, pos + 1);
      int start = pos + 1 + size[1];
      int end = start + size[0];
      if (id == IMPORT_SECTION) {
        importedFunctions = countFunctionImports(wasm, start);
      } else if (id == EXPORT_SECTION) {
        target = exportedFunction(wasm, start, TRAPPING_EXPORT);
      }
      if (id == CODE_SECTION) {
        byte[] code = rewriteCode(wasm, start, target - importedFunctions);
        out.write(id);
        writeLeb(out, code.length);
        out.writeBytes(code);
      } else {
        out.write(wasm, pos, end - pos);
      }
      pos = end;
    }
    return out.toByteArray();
  }

  private static int countFunctionImports(byte[] b, int p) {
    int[] count = leb(b, p);
    p += count[1];
    int functions = 0;
    for (int i = 0; i < count[0]; i++) {
      for (int name = 0; name < 2; name++) {
        int[] len = leb(b, p);
        p += len[1] + len[0];
      }
      int kind = b[p++];
      switch (kind) {
        case 0 -> {
          functions++;
          p += leb(b, p)[1];
        }
        case 1 -> p = skipLimits(b, p + 1);
        case 2 -> p = skipLimits(b, p);
        case 3 -> p += 2;
        default -> throw new IllegalArgumentException("unknown import kind " + kind);
      }
    }
    return functions;
  }

  private static int skipLimits(byte[] b, int p) {
    int flags = b[p++];
    p += leb(b, p)[1];
    if ((flags & 1) != 0) {
      p += leb(b, p)[1];
    }
    return p;
  }

  private static int exportedFunction(byte[] b, int p, String wanted) {
    int[] count = leb(b, p);
    p += count[1];
    for (int i = 0; i < count[0]; i++) {
      int[] len = leb(b, p);
      String name = new String(b, p + len[1], len[0], java.nio.charset.StandardCharsets.UTF_8);
      p += len[1] + len[0];
      int kind = b[p++];
      int[] index = leb(b, p);
      p += index[1];
      if (kind == 0 && name.equals(wanted)) {
        return index[0];
      }
    }
    throw new IllegalArgumentException("no exported function " + wanted);
  }

  private static byte[] rewriteCode(byte[] b, int p, int local) {
    var out = new ByteArrayOutputStream();
    int[] count = leb(b, p);
    p += count[1];
    writeLeb(out, count[0]);
    for (int i = 0; i < count[0]; i++) {
      int[] size = leb(b, p);
      int bodyStart = p + size[1];
      if (i == local) {
        byte[] body = {0x00, 0x00, 0x0b}; // no locals; unreachable; end
        writeLeb(out, body.length);
        out.writeBytes(body);
      } else {
        out.write(b, p, size[1] + size[0]);
      }
      p = bodyStart + size[0];
    }
    return out.toByteArray();
  }

  /** {value, bytes read}. */
  private static int[] leb(byte[] b, int pos) {
    int value = 0;
    int shift = 0;
    int n = 0;
    int x;
    do {
      x = b[pos + n++] & 0xff;
      value |= (x & 0x7f) << shift;
      shift += 7;
    } while ((x & 0x80) != 0);
    return new int[] {value, n};
  }

  private static void writeLeb(ByteArrayOutputStream out, int value) {
    do {
      int x = value & 0x7f;
      value >>>= 7;
      out.write(value != 0 ? x | 0x80 : x);
    } while (value != 0);
  }
}
