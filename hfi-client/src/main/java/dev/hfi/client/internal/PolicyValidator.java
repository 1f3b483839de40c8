package dev.hfi.client.internal;

import dev.hfi.client.Durations;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.FaultInjectionPolicy.Abort;
import dev.hfi.client.FaultInjectionPolicy.Fault;
import dev.hfi.client.FaultInjectionPolicy.HeaderMatch;
import dev.hfi.client.FaultInjectionPolicy.Match;
import dev.hfi.client.FaultInjectionPolicy.Metadata;
import dev.hfi.client.FaultInjectionPolicy.Spec;
import dev.hfi.client.FaultInjectionPolicy.StringMatch;
import dev.hfi.client.Names;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The rules of the design, each violation reported as {@code field.path: what is wrong}. */
public final class PolicyValidator {
  private static final Pattern LABEL_KEY =
      Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
  private static final Pattern NODE_NAME =
      Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern HEADER_NAME = Pattern.compile(":?[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
  private static final Duration MAX_DELAY = Duration.ofHours(1);

  private PolicyValidator() {}

  /** Every violation in {@code p}; empty when it is valid. */
  public static List<String> validate(FaultInjectionPolicy p) {
    List<String> errors = new ArrayList<>();
    if (p == null) {
      errors.add("body: expected a FaultInjectionPolicy");
      return errors;
    }
    if (p.apiVersion() == null) {
      errors.add("apiVersion: required, must be " + FaultInjectionPolicy.API_VERSION);
    } else if (!FaultInjectionPolicy.API_VERSION.equals(p.apiVersion())) {
      errors.add(
          "apiVersion: must be " + FaultInjectionPolicy.API_VERSION + ", got " + q(p.apiVersion()));
    }
    if (p.kind() == null) {
      errors.add("kind: required, must be " + FaultInjectionPolicy.KIND);
    } else if (!FaultInjectionPolicy.KIND.equals(p.kind())) {
      errors.add("kind: must be " + FaultInjectionPolicy.KIND + ", got " + q(p.kind()));
    }
    metadata(p.metadata(), errors);
    spec(p.spec(), errors);
    return errors;
  }

  private static void metadata(Metadata m, List<String> errors) {
    if (m == null) {
      errors.add("metadata: required (at least metadata.name)");
      return;
    }
    String nameError = Names.checkDns1123Label("metadata.name", m.name());
    if (nameError != null) {
      errors.add(nameError);
    }
    if (m.labels() != null) {
      for (Map.Entry<String, String> e : m.labels().entrySet()) {
        String key = e.getKey();
        if (key.length() > 316 || !LABEL_KEY.matcher(key).matches()) {
          errors.add(
              "metadata.labels: invalid key " + q(key) + " (use letters, digits, '-', '_', '.')");
        }
        String v = e.getValue();
        if (v == null || v.length() > 63 || !LABEL_VALUE.matcher(v).matches()) {
          errors.add(
              "metadata.labels."
                  + key
                  + ": invalid value "
                  + q(String.valueOf(v))
                  + " (at most 63 letters, digits, '-', '_', '.')");
        }
      }
    }
    if (m.resourceVersion() != null && !m.resourceVersion().matches("[0-9]{1,18}")) {
      errors.add(
          "metadata.resourceVersion: must be the decimal string the server returned, got "
              + q(m.resourceVersion()));
    }
  }

  private static void spec(Spec s, List<String> errors) {
    if (s == null) {
      errors.add("spec: required (at least spec.fault)");
      return;
    }
    if (s.target() != null && s.target().nodes() != null) {
      List<String> nodes = s.target().nodes();
      for (int i = 0; i < nodes.size(); i++) {
        String n = nodes.get(i);
        if (n == null || n.length() > 253 || !NODE_NAME.matcher(n).matches()) {
          errors.add(
              "spec.target.nodes["
                  + i
                  + "]: must be a node name (letters, digits, '-', '_', '.'), got "
                  + q(String.valueOf(n)));
        }
      }
    }
    if (s.match() != null) {
      match(s.match(), errors);
    }
    fault(s.fault(), errors);
    if (s.duration() != null) {
      within("spec.duration", s.duration(), null, errors);
    }
  }

  /** {@code text} is a duration of at least 1ms and, unless {@code max} is null, at most max. */
  private static void within(String path, String text, Duration max, List<String> errors) {
    String problem = Durations.check(path, text);
    if (problem != null) {
      errors.add(problem);
      return;
    }
    Duration d = Durations.parse(text);
    if (d.toMillis() < 1 || (max != null && d.compareTo(max) > 0)) {
      errors.add(
          path
              + ": must be "
              + (max == null ? "at least 1ms" : "between 1ms and " + Durations.format(max))
              + ", got "
              + q(text));
    }
  }

  private static void match(Match m, List<String> errors) {
    if (m.path() != null) {
      stringMatch("spec.match.path", m.path(), errors);
      String literal = m.path().exact() != null ? m.path().exact() : m.path().prefix();
      if (literal != null && !literal.startsWith("/")) {
        errors.add(
            "spec.match.path."
                + (m.path().exact() != null ? "exact" : "prefix")
                + ": must start with '/', got "
                + q(literal));
      }
    }
    if (m.method() != null) {
      stringMatch("spec.match.method", m.method(), errors);
    }
    if (m.headers() != null) {
      for (int i = 0; i < m.headers().size(); i++) {
        header("spec.match.headers[" + i + "]", m.headers().get(i), errors);
      }
    }
  }

  private static void stringMatch(String path, StringMatch m, List<String> errors) {
    int count =
        (m.exact() != null ? 1 : 0) + (m.prefix() != null ? 1 : 0) + (m.regex() != null ? 1 : 0);
    if (count != 1) {
      errors.add(path + ": exactly one of exact, prefix, regex");
      return;
    }
    String kind = m.exact() != null ? "exact" : m.prefix() != null ? "prefix" : "regex";
    String value = m.exact() != null ? m.exact() : m.prefix() != null ? m.prefix() : m.regex();
    maxLength(path + "." + kind, value, errors);
    if (m.regex() != null) {
      regex(path + ".regex", m.regex(), errors);
    }
  }

  private static void header(String path, HeaderMatch h, List<String> errors) {
    if (h == null) {
      errors.add(path + ": must be an object with name and one matcher");
      return;
    }
    if (h.name() == null || h.name().isEmpty()) {
      errors.add(path + ".name: required");
    } else if (!HEADER_NAME.matcher(h.name()).matches()) {
      errors.add(path + ".name: not a valid header name: " + q(h.name()));
    }
    int count =
        (h.exact() != null ? 1 : 0)
            + (h.prefix() != null ? 1 : 0)
            + (h.regex() != null ? 1 : 0)
            + (h.present() != null ? 1 : 0);
    if (count != 1) {
      errors.add(path + ": exactly one of exact, prefix, regex, present");
    } else if (Boolean.FALSE.equals(h.present())) {
      errors.add(path + ".present: must be true (leave the header out to match any request)");
    } else if (h.present() == null) {
      String kind = h.exact() != null ? "exact" : h.prefix() != null ? "prefix" : "regex";
      String value = h.exact() != null ? h.exact() : h.prefix() != null ? h.prefix() : h.regex();
      maxLength(path + "." + kind, value, errors);
      if (h.regex() != null) {
        regex(path + ".regex", h.regex(), errors);
      }
    }
  }

  /** One limit for the value of every matcher, whatever it matches (path, method, header). */
  private static void maxLength(String path, String value, List<String> errors) {
    add(Limits.matchValue(path, value), errors);
  }

  private static void regex(String path, String regex, List<String> errors) {
    add(Limits.regex(path, regex), errors);
  }

  private static void add(String error, List<String> errors) {
    if (error != null) {
      errors.add(error);
    }
  }

  private static void fault(Fault f, List<String> errors) {
    if (f == null) {
      errors.add("spec.fault: required (abort, delay or both)");
      return;
    }
    if (f.percentage() != null) {
      BigDecimal pct = f.percentage();
      if (pct.signum() < 0 || pct.compareTo(HUNDRED) > 0) {
        errors.add("spec.fault.percentage: must be between 0 and 100, got " + pct.toPlainString());
      } else if (pct.stripTrailingZeros().scale() > 4) {
        errors.add(
            "spec.fault.percentage: at most 4 decimal places (precision is one per million), got "
                + pct.toPlainString());
      }
    }
    if (f.abort() == null && f.delay() == null) {
      errors.add("spec.fault: needs abort, delay or both");
    }
    if (f.abort() != null) {
      abort(f.abort(), errors);
    }
    if (f.delay() != null) {
      String fixed = f.delay().fixedDelay();
      if (fixed == null) {
        errors.add("spec.fault.delay.fixedDelay: required, e.g. 2s");
      } else {
        within("spec.fault.delay.fixedDelay", fixed, MAX_DELAY, errors);
      }
    }
    if (f.maxInjections() != null && f.maxInjections() < 1) {
      errors.add(
          "spec.fault.maxInjections: must be at least 1 (leave it out for no limit), got "
              + f.maxInjections());
    }
  }

  private static void abort(Abort a, List<String> errors) {
    if ((a.httpStatus() == null) == (a.grpcStatus() == null)) {
      errors.add("spec.fault.abort: exactly one of httpStatus, grpcStatus");
      return;
    }
    if (a.httpStatus() != null && (a.httpStatus() < 200 || a.httpStatus() >= 600)) {
      errors.add("spec.fault.abort.httpStatus: must be in [200, 600), got " + a.httpStatus());
    }
    if (a.grpcStatus() != null && (a.grpcStatus() < 0 || a.grpcStatus() > 16)) {
      errors.add("spec.fault.abort.grpcStatus: must be in [0, 16], got " + a.grpcStatus());
    }
    if (a.body() != null) {
      add(Limits.abortBody("spec.fault.abort.body", a.body()), errors);
    }
    if (a.headers() != null) {
      for (Map.Entry<String, String> h : a.headers().entrySet()) {
        if (!HEADER_NAME.matcher(h.getKey()).matches() || h.getKey().startsWith(":")) {
          errors.add("spec.fault.abort.headers: not a valid header name: " + q(h.getKey()));
        }
        String v = h.getValue();
        if (v == null || v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
          errors.add(
              "spec.fault.abort.headers." + h.getKey() + ": value must be a single-line string");
        }
      }
    }
  }

  private static String q(String s) {
    return "\"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"";
  }
}
