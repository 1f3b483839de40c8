package dev.hfi.filter.internal.core;

import java.nio.charset.StandardCharsets;

/**
 * The request headers of one request in proxy-wasm's serialized map format, read without decoding
 * strings: matchers compare bytes in place.
 *
 * <p>Format (little-endian): {@code u32 count}, then {@code count} pairs of {@code u32 keyLength,
 * u32 valueLength}, then each key and value followed by a NUL byte. One instance is reused for
 * every request of a VM ({@link #reset}), so the hot path allocates only when a larger request
 * arrives. Not thread-safe.
 */
public final class RequestHeaders {
  /** Fills a {@link RequestHeaders} with the whole header map ({@link #buffer}, {@link #reset}). */
  public interface Loader {
    void load(RequestHeaders into);
  }

  private static final byte[] PATH = Bytes.utf8(":path");

  private byte[] buf = new byte[1024];
  private byte[] pathBuf = new byte[256];
  private byte[] pathSource = pathBuf;
  private int pathOff;
  private int pathLen = -1;
  private Loader loader;
  private int length;
  private int[] keyOff = new int[32];
  private int[] keyLen = new int[32];
  private int[] valOff = new int[32];
  private int[] valLen = new int[32];
  private int count;

  /** A buffer of at least {@code size} bytes that the caller fills before {@link #reset}. */
  public byte[] buffer(int size) {
    if (buf.length < size) {
      buf = new byte[Math.max(size, buf.length * 2)];
    }
    return buf;
  }

  /**
   * Indexes the first {@code size} bytes of {@link #buffer}.
   *
   * @throws IllegalArgumentException if they are not a well-formed header map
   */
  public void reset(int size) {
    loader = null;
    length = size;
    count = 0;
    pathLen = -1;
    if (size == 0) {
      return;
    }
    int n = u32(0);
    if (n < 0 || 4 + 8L * n > size) {
      throw new IllegalArgumentException("header map: bad pair count " + n);
    }
    if (keyOff.length < n) {
      keyOff = new int[n];
      keyLen = new int[n];
      valOff = new int[n];
      valLen = new int[n];
    }
    int p = 4 + 8 * n;
    for (int i = 0; i < n; i++) {
      int kl = u32(4 + 8 * i);
      int vl = u32(8 + 8 * i);
      if (kl < 0 || vl < 0 || (long) p + kl + vl + 2 > size) {
        throw new IllegalArgumentException("header map: pair " + i + " overruns the buffer");
      }
      keyOff[i] = p;
      keyLen[i] = kl;
      p += kl + 1;
      valOff[i] = p;
      valLen[i] = vl;
      p += vl + 1;
    }
    count = n;
    int p0 = indexOf(PATH, 0);
    if (p0 >= 0) {
      pathSource = buf;
      pathOff = valOff[p0];
      pathLen = valLen[p0];
    }
  }

  /**
   * A buffer of at least {@code size} bytes for the {@code :path} value, see {@link #resetLazy}.
   */
  public byte[] pathBuffer(int size) {
    if (pathBuf.length < size) {
      pathBuf = new byte[Math.max(size, pathBuf.length * 2)];
    }
    return pathBuf;
  }

  /**
   * Starts a request whose {@code :path} (length {@code pathLength}, -1 if absent) is already in
   * {@link #pathBuffer}; the whole map is read through {@code loader} only if a condition needs it,
   * so a request that no rule's path can match never pays for reading all headers.
   */
  public void resetLazy(int pathLength, Loader loader) {
    this.loader = loader;
    length = 0;
    count = 0;
    pathSource = pathBuf;
    pathOff = 0;
    pathLen = pathLength;
  }

  private void ensureLoaded() {
    if (loader != null) {
      Loader l = loader;
      loader = null;
      l.load(this);
    }
  }

  /** Whether the request has a {@code :path}. */
  public boolean hasPath() {
    return pathLen >= 0;
  }

  /** The bytes holding the path at {@link #pathOffset}. */
  public byte[] pathBytes() {
    return pathSource;
  }

  public int pathOffset() {
    return pathOff;
  }

  /** Length of the path without its query string (Envoy's route matching ignores it). */
  public int pathLength() {
    for (int k = 0; k < pathLen; k++) {
      if (pathSource[pathOff + k] == '?') {
        return k;
      }
    }
    return pathLen;
  }

  /** Number of header pairs. */
  public int size() {
    ensureLoaded();
    return count;
  }

  /** Index of the next pair at or after {@code from} whose name equals {@code name}, or -1. */
  public int indexOf(byte[] name, int from) {
    ensureLoaded();
    for (int i = from; i < count; i++) {
      if (keyLen[i] == name.length && Bytes.regionEquals(buf, keyOff[i], name, 0, name.length)) {
        return i;
      }
    }
    return -1;
  }

  public byte[] bytes() {
    return buf;
  }

  public int valueOffset(int i) {
    return valOff[i];
  }

  public int valueLength(int i) {
    return valLen[i];
  }

  /** Whether pair {@code i}'s name is {@code name}. */
  public boolean nameEquals(int i, byte[] name) {
    return keyLen[i] == name.length && Bytes.regionEquals(buf, keyOff[i], name, 0, name.length);
  }

  public String name(int i) {
    return Bytes.string(buf, keyOff[i], keyLen[i]);
  }

  public String value(int i) {
    return Bytes.string(buf, valOff[i], valLen[i]);
  }

  private int u32(int at) {
    return (buf[at] & 0xff)
        | (buf[at + 1] & 0xff) << 8
        | (buf[at + 2] & 0xff) << 16
        | (buf[at + 3] & 0xff) << 24;
  }

  /** Serializes name/value pairs in the proxy-wasm map format (for local replies and calls). */
  public static byte[] encode(String... pairs) {
    if (pairs.length % 2 != 0) {
      throw new IllegalArgumentException("pairs must come as name, value");
    }
    int n = pairs.length / 2;
    byte[][] parts = new byte[pairs.length][];
    int size = 4 + 8 * n;
    for (int i = 0; i < pairs.length; i++) {
      parts[i] = pairs[i].getBytes(StandardCharsets.UTF_8);
      size += parts[i].length + 1;
    }
    byte[] out = new byte[size];
    putU32(out, 0, n);
    int p = 4 + 8 * n;
    for (int i = 0; i < n; i++) {
      putU32(out, 4 + 8 * i, parts[2 * i].length);
      putU32(out, 8 + 8 * i, parts[2 * i + 1].length);
      for (int k = 0; k < 2; k++) {
        byte[] part = parts[2 * i + k];
        System.arraycopy(part, 0, out, p, part.length);
        p += part.length + 1;
      }
    }
    return out;
  }

  private static void putU32(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) (v >>> 16);
    b[at + 3] = (byte) (v >>> 24);
  }
}
