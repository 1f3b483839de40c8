package dev.hfi.controlplane.internal.http;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyCodec;
import dev.hfi.client.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.servlet.ServletRequest;
import javax.servlet.ServletRequestWrapper;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** What every endpoint shares: error JSON, bearer-token check, bounded body reading. */
public final class HttpSupport {
  /** Request attribute: the policy an operation is about (for the request log). */
  public static final String POLICY_ATTRIBUTE = "hfi.policy";

  /** Request attribute: the matched route pattern (for the request log and metrics). */
  public static final String ROUTE_ATTRIBUTE = "hfi.route";

  /** The JSON media type of every non-stream answer. */
  public static final String JSON = "application/json";

  private HttpSupport() {}

  /** {@code {"error":{"code":"NotFound","message":"..."}}}. */
  public static String errorJson(ErrorCode code, String message) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code.code());
    error.put("message", message);
    return Json.write(Map.of("error", error));
  }

  /**
   * The error JSON of {@code e}; an {@link InvalidPolicyException} adds {@code problems}, its
   * problems one by one (the message has them one per line): {@code
   * {"error":{"code":"Invalid","message":"a: ...\nb: ...","problems":["a: ...","b: ..."]}}}.
   */
  public static String errorJson(HfiException e) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", e.code().code());
    error.put("message", e.getMessage());
    if (e instanceof InvalidPolicyException invalid) {
      error.put("problems", invalid.problems());
    }
    return Json.write(Map.of("error", error));
  }

  /** Writes the error JSON with the code's status (unless the response is already committed). */
  public static void writeError(HttpServletResponse response, HfiException e) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.setStatus(e.code().httpStatus());
    response.setContentType(JSON);
    if (e.code() == ErrorCode.UNAUTHORIZED) {
      response.setHeader("WWW-Authenticate", "Bearer realm=\"hfi\"");
    }
    response.getOutputStream().write(errorJson(e).getBytes(StandardCharsets.UTF_8));
  }

  /** Throws {@link ErrorCode#UNAUTHORIZED} unless the request carries {@code token}. */
  public static void checkToken(HttpServletRequest request, String token) {
    if (token == null) {
      return;
    }
    String header = request.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new HfiException(
          ErrorCode.UNAUTHORIZED,
          "this control plane requires a bearer token (Authorization: Bearer <token>)");
    }
    byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    if (!java.security.MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8))) {
      throw new HfiException(ErrorCode.UNAUTHORIZED, "the bearer token is not valid");
    }
  }

  /**
   * The DNS-rebinding guard: a web page whose own host name resolves to 127.0.0.1 could otherwise
   * reach an unauthenticated API on loopback from the user's browser. Such a request carries the
   * page's Host, so only the names in {@code allowed} (lower case, IPv6 without brackets) pass;
   * {@code allowed} null means no guard. A request without a Host header (HTTP/1.0) passes.
   */
  public static void checkHost(HttpServletRequest request, Set<String> allowed) {
    if (allowed == null || request.getHeader("Host") == null) {
      return;
    }
    String host = request.getServerName().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (!allowed.contains(host)) {
      throw new HfiException(
          ErrorCode.FORBIDDEN,
          "Host \""
              + host
              + "\" is not served: this control plane has no token and listens on loopback, so it"
              + " answers only to "
              + new TreeSet<>(allowed)
              + "; add the name with --allowed-hosts (env HFI_ALLOWED_HOSTS) or require a token");
    }
  }

  /** The body of a policy request, its format checked (415) and its size bounded (413). */
  public static Body readPolicyBody(HttpServletRequest request, long maxBytes) throws IOException {
    long length = request.getContentLengthLong();
    if (length > maxBytes) {
      throw tooLarge(length, maxBytes);
    }
    PolicyCodec.Format format = PolicyCodec.Format.fromContentType(request.getContentType());
    if (format == null) {
      throw new HfiException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type must be application/json or application/yaml, got "
              + (request.getContentType() == null
                  ? "none"
                  : "\"" + request.getContentType() + "\""));
    }
    ServletRequest raw = request;
    while (raw instanceof ServletRequestWrapper w) {
      // Spark's wrapper would buffer the whole body before we can bound it.
      raw = w.getRequest();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (InputStream in = raw.getInputStream()) {
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (bytes.size() + n > maxBytes) {
          throw tooLarge(-1, maxBytes);
        }
        bytes.write(buf, 0, n);
      }
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes.toByteArray()))
              .toString();
      return new Body(text, format);
    } catch (CharacterCodingException e) {
      throw new InvalidPolicyException("body: not valid UTF-8");
    }
  }

  private static HfiException tooLarge(long length, long maxBytes) {
    return new HfiException(
        ErrorCode.PAYLOAD_TOO_LARGE,
        "request body "
            + (length >= 0 ? "is " + length + " bytes" : "exceeds the limit")
            + "; the limit is "
            + maxBytes
            + " bytes");
  }

  /** A request body and its format. */
  public record Body(String text, PolicyCodec.Format format) {}
}
