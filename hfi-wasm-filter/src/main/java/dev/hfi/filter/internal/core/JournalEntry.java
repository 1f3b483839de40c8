package dev.hfi.filter.internal.core;

/**
 * One request journal entry (docs/FILTER.md, "Request journal"): what the filter saw of a request,
 * the fault it injected, and how it ended, written as one log line {@link #PREFIX} + compact JSON.
 * Made only when the plugin configuration turns the journal on. Not thread-safe (one per request,
 * used by its VM).
 */
public final class JournalEntry {
  /** Every journal line starts with this; what follows is the entry's JSON. */
  public static final String PREFIX = "hfi-journal ";

  /** A barrier line: {@code hfi-journal-barrier <token>} (see {@link #BARRIER_HEADER}). */
  public static final String BARRIER_PREFIX = "hfi-journal-barrier ";

  /**
   * A request carrying this header is answered {@code 204} by the filter itself and only logs a
   * barrier line: a reader of a log stream that lags behind the proxy (a container's) knows it has
   * every entry written before the barrier once it sees the barrier.
   */
  public static final String BARRIER_HEADER = "x-hfi-journal-barrier";

  /** At most this many request headers are kept (besides {@code :method} and {@code :path}). */
  public static final int MAX_HEADERS = 32;

  /** A longer header value, or path, is cut to this many characters. */
  public static final int MAX_VALUE_CHARS = 256;

  private static final byte[] METHOD = Bytes.utf8(":method");
  private static final byte[] PATH = Bytes.utf8(":path");

  private final String node;
  private final long atMs;
  private final String method;
  private final String path;
  private final String[] headers;
  private final boolean truncated;
  private String policy;
  private int delayMs;
  private boolean aborted;

  private JournalEntry(
      String node, long atMs, String method, String path, String[] headers, boolean truncated) {
    this.node = node;
    this.atMs = atMs;
    this.method = method;
    this.path = path;
    this.headers = headers;
    this.truncated = truncated;
  }

  /** Starts the entry of a request whose headers are {@code req}, seen at {@code atMs}. */
  public static JournalEntry of(String node, long atMs, RequestHeaders req) {
    int n = req.size();
    String method = "";
    String path = "";
    int kept = 0;
    boolean truncated = false;
    String[] pairs = new String[2 * Math.min(n, MAX_HEADERS)];
    for (int i = 0; i < n; i++) {
      if (req.nameEquals(i, METHOD)) {
        method = req.value(i);
      } else if (req.nameEquals(i, PATH)) {
        path = req.value(i);
      } else if (kept < MAX_HEADERS) {
        pairs[2 * kept] = req.name(i);
        pairs[2 * kept + 1] = req.value(i);
        kept++;
      } else {
        truncated = true;
      }
    }
    if (kept * 2 < pairs.length) {
      String[] exact = new String[2 * kept];
      System.arraycopy(pairs, 0, exact, 0, exact.length);
      pairs = exact;
    }
    return new JournalEntry(node, atMs, method, path, pairs, truncated);
  }

  /** Notes the fault injected: its policy, delay (0 for none) and whether it aborts. */
  public void faulted(String policy, int delayMs, boolean aborted) {
    this.policy = policy;
    this.delayMs = delayMs;
    this.aborted = aborted;
  }

  /**
   * The journal line for this request, answered with {@code status} (0: no response, e.g. the
   * client went away) at {@code endMs}.
   */
  public String line(int status, long endMs) {
    StringBuilder sb = new StringBuilder(256 + 64 * headers.length / 2);
    sb.append(PREFIX).append("{\"node\":");
    quote(sb, node);
    sb.append(",\"at\":").append(atMs);
    sb.append(",\"method\":");
    quote(sb, method);
    sb.append(",\"path\":");
    quote(sb, path);
    sb.append(",\"headers\":[");
    boolean cut = truncated;
    for (int i = 0; i < headers.length; i += 2) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append('[');
      cut |= quote(sb, headers[i]);
      sb.append(',');
      cut |= quote(sb, headers[i + 1]);
      sb.append(']');
    }
    sb.append(']');
    if (cut) {
      sb.append(",\"headersTruncated\":true");
    }
    if (policy != null) {
      sb.append(",\"policy\":");
      quote(sb, policy);
      if (delayMs > 0) {
        sb.append(",\"delayMs\":").append(delayMs);
      }
      if (aborted) {
        sb.append(",\"aborted\":true");
      }
    }
    sb.append(",\"status\":").append(status);
    sb.append(",\"durationMs\":").append(Math.max(0, endMs - atMs));
    return sb.append('}').toString();
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Appends {@code s} as a JSON string, cut to {@link #MAX_VALUE_CHARS}; true if it was cut. */
  private static boolean quote(StringBuilder sb, String s) {
    int n = Math.min(s.length(), MAX_VALUE_CHARS);
    sb.append('"');
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        // Control characters (a newline above all) are escaped: an entry stays one log line.
        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
    return n < s.length();
  }
}
