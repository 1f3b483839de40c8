package dev.hfi.filter.internal.core;

/**
 * One compiled rule: conditions (all must hold) and the fault. Immutable; built by {@link
 * RuleSetDecoder}. Byte forms of the abort (body, header map with {@code x-hfi-fault}) are built
 * once so that injecting allocates nothing.
 */
public final class Rule {
  static final byte[] METHOD = Bytes.utf8(":method");

  /** No {@code maxInjections}: unlimited. */
  public static final long UNLIMITED = -1;

  final String policy;
  final long generation;
  final StringMatcher path;
  final StringMatcher method;
  final HeaderMatcher[] headers;
  final int perMillion;
  final long expiresAtMs;
  private final Abort abort;
  private final int delayMs;
  private final long maxInjections;

  Rule(
      String policy,
      long generation,
      StringMatcher path,
      StringMatcher method,
      HeaderMatcher[] headers,
      int perMillion,
      Abort abort,
      int delayMs,
      long maxInjections,
      long expiresAtMs) {
    this.policy = policy;
    this.generation = generation;
    this.path = path;
    this.method = method;
    this.headers = headers;
    this.perMillion = perMillion;
    this.abort = abort;
    this.delayMs = delayMs;
    this.maxInjections = maxInjections;
    this.expiresAtMs = expiresAtMs;
  }

  public String policy() {
    return policy;
  }

  public long generation() {
    return generation;
  }

  public int perMillion() {
    return perMillion;
  }

  /** The abort to send, or null for a delay-only rule. */
  public Abort abort() {
    return abort;
  }

  /** Delay before continuing (or aborting), 0 for none. */
  public int delayMs() {
    return delayMs;
  }

  /** At most this many injections per proxy, or {@link #UNLIMITED}. */
  public long maxInjections() {
    return maxInjections;
  }

  boolean matches(RequestHeaders req) {
    return (path == null || matchesPath(req)) && matchesBesidesPath(req);
  }

  /** Method and header conditions (the path was checked through the rule set's index). */
  boolean matchesBesidesPath(RequestHeaders req) {
    if (method != null && !matchesHeader(req, METHOD, method)) {
      return false;
    }
    for (HeaderMatcher h : headers) {
      if (!h.matches(req)) {
        return false;
      }
    }
    return true;
  }

  private boolean matchesPath(RequestHeaders req) {
    return req.hasPath() && path.matches(req.pathBytes(), req.pathOffset(), req.pathLength());
  }

  private static boolean matchesHeader(RequestHeaders req, byte[] name, StringMatcher m) {
    int i = req.indexOf(name, 0);
    return i >= 0 && m.matches(req.bytes(), req.valueOffset(i), req.valueLength(i));
  }

  /** The local reply of an abort, pre-encoded. */
  public static final class Abort {
    private final int httpStatus;
    private final int grpcStatus;
    private final byte[] body;
    private final byte[] headerMap;

    Abort(int httpStatus, int grpcStatus, byte[] body, byte[] headerMap) {
      this.httpStatus = httpStatus;
      this.grpcStatus = grpcStatus;
      this.body = body;
      this.headerMap = headerMap;
    }

    /** HTTP status; 200 for a gRPC abort (the status travels in {@code grpc-status}). */
    public int httpStatus() {
      return httpStatus;
    }

    /** gRPC status 0..16, or -1 for a plain HTTP abort. */
    public int grpcStatus() {
      return grpcStatus;
    }

    public byte[] body() {
      return body;
    }

    /** Extra response headers in proxy-wasm map format, including {@code x-hfi-fault}. */
    public byte[] headerMap() {
      return headerMap;
    }
  }
}
