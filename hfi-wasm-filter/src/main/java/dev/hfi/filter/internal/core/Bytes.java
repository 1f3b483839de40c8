package dev.hfi.filter.internal.core;

import java.nio.charset.StandardCharsets;

/** Byte helpers with an ASCII fast path: TeaVM's UTF-8 codec is slow. */
public final class Bytes {
  private Bytes() {}

  static boolean regionEquals(byte[] a, int aOff, byte[] b, int bOff, int len) {
    for (int i = 0; i < len; i++) {
      if (a[aOff + i] != b[bOff + i]) {
        return false;
      }
    }
    return true;
  }

  /** Decodes UTF-8, copying plain ASCII without going through the charset machinery. */
  public static String string(byte[] b, int off, int len) {
    char[] chars = new char[len];
    for (int i = 0; i < len; i++) {
      byte x = b[off + i];
      if (x < 0) {
        return new String(b, off, len, StandardCharsets.UTF_8);
      }
      chars[i] = (char) x;
    }
    return new String(chars);
  }

  /** Encodes UTF-8, with the same ASCII fast path. */
  public static byte[] utf8(String s) {
    int n = s.length();
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8);
      }
      out[i] = (byte) c;
    }
    return out;
  }
}
