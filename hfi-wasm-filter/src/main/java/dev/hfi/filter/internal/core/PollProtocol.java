package dev.hfi.filter.internal.core;

import dev.hfi.filter.FilterConfigException;

/**
 * The long-poll protocol of docs/API_REFERENCE.md: the request path, and the one SSE event of a 200
 * answer. Stateless.
 */
public final class PollProtocol {
  private PollProtocol() {}

  /**
   * The {@code :path} of a poll that reports {@code version} as applied and, when {@code
   * rejectedVersion > 0}, that version as rejected with {@code error}.
   */
  public static String path(
      String node, String instance, long version, long rejectedVersion, String error, int waitMs) {
    StringBuilder sb = new StringBuilder("/v1/config/stream?node=");
    encode(sb, node);
    sb.append("&instance=");
    encode(sb, instance);
    sb.append("&version=").append(version);
    if (rejectedVersion > 0) {
      sb.append("&rejected=").append(rejectedVersion).append("&error=");
      encode(sb, error);
    }
    return sb.append("&wait=").append(waitMs).append("ms").toString();
  }

  /**
   * The {@code :path} of the goodbye: {@code DELETE} of this filter instance from the control
   * plane's data planes, so that waits for ACKs stop counting it at once.
   */
  public static String goodbyePath(String node, String instance) {
    StringBuilder sb = new StringBuilder("/v1/nodes/");
    encode(sb, node);
    sb.append("/instances/");
    encode(sb, instance);
    return sb.toString();
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters. */
  static void encode(StringBuilder sb, String s) {
    byte[] b = Bytes.utf8(s);
    for (byte x : b) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.forDigit(c >> 4, 16))
            .append(Character.forDigit(c & 15, 16));
      }
    }
  }

  /** The {@code id} and {@code data} of the first SSE event in {@code body}. */
  public static final class Event {
    public final long id;
    public final String data;

    Event(long id, String data) {
      this.id = id;
      this.data = data;
    }
  }

  /**
   * Parses the first event of an SSE body; several {@code data:} lines are joined with newlines. A
   * single data line (what the control plane sends) is copied once, whatever its size.
   *
   * @throws FilterConfigException if there is no {@code data:} line
   */
  public static Event parseEvent(String body) {
    long id = 0;
    String data = null;
    StringBuilder joined = null;
    int pos = 0;
    while (pos < body.length()) {
      int eol = body.indexOf('\n', pos);
      if (eol < 0) {
        eol = body.length();
      }
      int start = pos;
      int end = eol > start && body.charAt(eol - 1) == '\r' ? eol - 1 : eol;
      pos = eol + 1;
      if (start == end) {
        if (data != null) {
          break;
        }
        continue;
      }
      int colon = body.indexOf(':', start);
      int fieldEnd = colon < 0 || colon > end ? end : colon;
      int valueStart = fieldEnd == end ? end : fieldEnd + 1;
      if (valueStart < end && body.charAt(valueStart) == ' ') {
        valueStart++;
      }
      if (body.startsWith("data", start) && fieldEnd - start == 4) {
        String value = body.substring(valueStart, end);
        if (data == null) {
          data = value;
        } else {
          if (joined == null) {
            joined = new StringBuilder(data);
          }
          joined.append('\n').append(value);
        }
      } else if (body.startsWith("id", start) && fieldEnd - start == 2) {
        id = parseId(body.substring(valueStart, end));
      }
    }
    if (data == null) {
      throw new FilterConfigException("poll answer: no SSE data line in the body");
    }
    return new Event(id, joined == null ? data : joined.toString());
  }

  /**
   * The {@code id} of the first event from the beginning of an SSE body, which may be cut anywhere:
   * only complete lines count; 0 when there is none.
   */
  public static long eventId(String bodyPrefix) {
    long id = 0;
    boolean data = false;
    int pos = 0;
    while (true) {
      int eol = bodyPrefix.indexOf('\n', pos);
      if (eol < 0) {
        return id;
      }
      String line = bodyPrefix.substring(pos, eol);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      pos = eol + 1;
      if (line.isEmpty()) {
        if (data) {
          return id;
        }
      } else if (line.equals("data") || line.startsWith("data:")) {
        data = true;
      } else if (line.startsWith("id:")) {
        id = parseId(line.substring(3));
      }
    }
  }

  private static long parseId(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
