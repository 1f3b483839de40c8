package dev.hfi.junit.internal;

import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.FaultInjectionPolicy.HeaderMatch;
import dev.hfi.client.FaultInjectionPolicy.StringMatch;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyCodec;
import dev.hfi.junit.Abort;
import dev.hfi.junit.Header;
import dev.hfi.junit.InjectFault;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Turns {@link InjectFault} annotations into policies, through {@link FaultSpec} as the fluent
 * {@code HfiFault} does. Every mistake becomes an {@link ExtensionConfigurationException} that
 * names the annotation's place and the attribute to fix.
 */
public final class FaultAnnotations {
  private static final int MAX_NAME = 63;

  private FaultAnnotations() {}

  /**
   * The policy {@code a} declares, through the one mapping of {@link FaultSpec}; with {@link
   * InjectFault#policy()}, the file's policy with the attributes set beside it overriding its
   * values.
   *
   * @param where how messages name the annotation's place, e.g. {@code OrdersTest.retries()}
   * @param defaultName the name when {@link InjectFault#name()} is empty (made DNS-1123 here)
   * @param upstreams the upstreams the test class declares
   */
  public static FaultInjectionPolicy toPolicy(
      InjectFault a, String where, String defaultName, Set<String> upstreams, ClassLoader loader) {
    String at = "@InjectFault on " + where;
    FaultSpec spec = spec(a, at);
    FaultInjectionPolicy base = a.policy().isEmpty() ? null : fromFile(a.policy(), at, loader);
    return spec.toPolicy(at, FaultSpec.ANNOTATION, defaultName, upstreams, base);
  }

  /** The annotation's attributes as a spec; defaults are left unset. */
  private static FaultSpec spec(InjectFault a, String at) {
    FaultSpec spec = new FaultSpec();
    if (!a.name().isEmpty()) {
      spec.name(a.name());
    }
    if (!a.upstream().isEmpty()) {
      spec.upstream(a.upstream());
    }
    if (!a.path().isEmpty()) {
      spec.path(StringMatch.prefix(a.path()), "path");
    }
    if (!a.pathExact().isEmpty()) {
      spec.path(StringMatch.exact(a.pathExact()), "pathExact");
    }
    if (!a.pathRegex().isEmpty()) {
      spec.path(StringMatch.regex(a.pathRegex()), "pathRegex");
    }
    if (!a.method().isEmpty()) {
      spec.method(a.method());
    }
    for (Header h : a.headers()) {
      spec.header(header(h, at));
    }
    Abort abort = a.abort();
    spec.abort(
        abort.httpStatus() == -1 ? null : abort.httpStatus(),
        abort.body().isEmpty() ? null : abort.body(),
        abortHeaders(abort, at));
    if (abort.grpcStatus() != -1) {
      spec.grpcStatus(abort.grpcStatus());
    }
    if (!a.delay().fixedDelay().isEmpty()) {
      spec.delay(a.delay().fixedDelay());
    }
    if (Double.isNaN(a.percentage()) || Double.isInfinite(a.percentage())) {
      throw misuse(at, "percentage", a.percentage() + " is outside 0..100");
    }
    if (a.percentage() != 100) {
      // Double.toString is the shortest text that reads back as the same double: what was written.
      spec.percentage(new BigDecimal(Double.toString(a.percentage())).stripTrailingZeros());
    }
    if (a.maxInjections() != 0) {
      spec.maxInjections(a.maxInjections());
    }
    if (a.priority() != 0) {
      spec.priority(a.priority());
    }
    if (!a.duration().isEmpty()) {
      spec.duration(a.duration());
    }
    return spec;
  }

  /** {@link Abort#headers()}, "name: value" each, as a map; null when there are none. */
  private static Map<String, String> abortHeaders(Abort abort, String at) {
    if (abort.headers().length == 0) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String h : abort.headers()) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        throw misuse(
            at,
            "abort.headers",
            "\"" + h + "\" is not \"name: value\", e.g. headers = \"retry-after: 1\"");
      }
      String name = h.substring(0, colon).trim();
      if (out.put(name, h.substring(colon + 1).trim()) != null) {
        throw misuse(at, "abort.headers", "\"" + name + "\" given twice");
      }
    }
    return out;
  }

  /** A DNS-1123 label made of {@code parts}; too long ones keep a hash so they stay unique. */
  public static String policyName(String... parts) {
    String raw = String.join("-", parts);
    StringBuilder b = new StringBuilder();
    for (char c : raw.toLowerCase(Locale.ROOT).toCharArray()) {
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (ok) {
        b.append(c);
      } else if (b.length() > 0 && b.charAt(b.length() - 1) != '-') {
        b.append('-');
      }
    }
    String name = b.toString().replaceAll("-+$", "");
    if (name.length() > MAX_NAME) {
      CRC32 crc = new CRC32();
      crc.update(raw.getBytes(StandardCharsets.UTF_8));
      String hash = Long.toHexString(crc.getValue());
      name = name.substring(0, MAX_NAME - hash.length() - 1).replaceAll("-+$", "") + "-" + hash;
    }
    return name.isEmpty() ? "hfi" : name;
  }

  private static HeaderMatch header(Header h, String at) {
    int matchers =
        (h.exact().isEmpty() ? 0 : 1)
            + (h.prefix().isEmpty() ? 0 : 1)
            + (h.regex().isEmpty() ? 0 : 1)
            + (h.present() ? 1 : 0);
    if (matchers != 1) {
      throw misuse(
          at,
          "headers",
          "@Header(name = \""
              + h.name()
              + "\") needs exactly one of exact, prefix, regex, present = true; found "
              + matchers);
    }
    return new HeaderMatch(
        h.name(),
        h.exact().isEmpty() ? null : h.exact(),
        h.prefix().isEmpty() ? null : h.prefix(),
        h.regex().isEmpty() ? null : h.regex(),
        h.present() ? Boolean.TRUE : null);
  }

  private static FaultInjectionPolicy fromFile(String location, String at, ClassLoader loader) {
    String text = read(location, at, loader);
    PolicyCodec.Format format =
        text.stripLeading().startsWith("{") ? PolicyCodec.Format.JSON : PolicyCodec.Format.YAML;
    try {
      return PolicyCodec.parse(text, format);
    } catch (InvalidPolicyException e) {
      throw misuse(at, "policy", "\"" + location + "\" is not a valid policy: " + e.getMessage());
    }
  }

  private static String read(String location, String at, ClassLoader loader) {
    if (location.startsWith("classpath:")) {
      String resource = location.substring("classpath:".length()).replaceFirst("^/+", "");
      try (InputStream in = loader.getResourceAsStream(resource)) {
        if (in == null) {
          throw misuse(
              at,
              "policy",
              "\""
                  + location
                  + "\" does not exist on the test class path (e.g. put it in"
                  + " src/test/resources/"
                  + resource
                  + ")");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw misuse(at, "policy", "cannot read \"" + location + "\": " + e.getMessage());
      }
    }
    Path file = Path.of(location.startsWith("file:") ? location.substring(5) : location);
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw misuse(
          at,
          "policy",
          "\"" + location + "\" does not exist (looked for " + file.toAbsolutePath() + ")");
    } catch (IOException e) {
      throw misuse(at, "policy", "cannot read \"" + location + "\": " + e.getMessage());
    }
  }

  private static ExtensionConfigurationException misuse(String at, String field, String message) {
    return new ExtensionConfigurationException(at + ": " + field + ": " + message);
  }
}
