package dev.hfi.client;

import java.util.regex.Pattern;

/**
 * The one check of the names HFI requires to be DNS-1123 labels, as Kubernetes does for most object
 * names: a policy's {@code metadata.name}, the name in {@code /v1/policies/{name}}, and the
 * upstream and node names of the data planes (each upstream's listener reports to the control plane
 * as a node of that name, and Envoy's cluster is named after it).
 *
 * <p>A DNS-1123 label is 1 to {@value #MAX_LABEL_LENGTH} characters of lower-case letters, digits
 * and {@code -}, starting and ending with a letter or digit: {@code orders}, {@code orders-proxy},
 * {@code v2}; not {@code Orders}, {@code orders_1} or {@code -orders}. Stateless and thread-safe.
 *
 * <pre>{@code
 * String problem = Names.checkDns1123Label("upstream name", name);
 * if (problem != null) {
 *   problems.add(problem);   // upstream name: must be a DNS-1123 label (...), got "Orders"
 * }
 * }</pre>
 */
public final class Names {
  /** The longest DNS-1123 label. */
  public static final int MAX_LABEL_LENGTH = 63;

  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private Names() {}

  /** Whether {@code value} is a DNS-1123 label; false for null. */
  public static boolean isDns1123Label(String value) {
    return value != null
        && value.length() <= MAX_LABEL_LENGTH
        && DNS_1123_LABEL.matcher(value).matches();
  }

  /**
   * What is wrong with {@code value} as a DNS-1123 label, as {@code what: problem}, or null when it
   * is one. A missing or empty value is {@code what: required, ...}; any other is {@code what: must
   * be a DNS-1123 label (...), got "value"}. Callers may append an example or a consequence.
   *
   * @param what how the message names the setting, e.g. {@code metadata.name}
   */
  public static String checkDns1123Label(String what, String value) {
    if (value == null || value.isEmpty()) {
      return what + ": required, a DNS-1123 label such as \"orders\"";
    }
    if (isDns1123Label(value)) {
      return null;
    }
    return what
        + ": must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending"
        + " with a letter or digit, at most "
        + MAX_LABEL_LENGTH
        + " characters), got \""
        + (value.length() > 60 ? value.substring(0, 57) + "..." : value)
        + "\"";
  }
}
