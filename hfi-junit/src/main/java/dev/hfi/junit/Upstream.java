package dev.hfi.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An upstream the code under test calls, for {@link HfiTest#upstreams()}: the proxy listener for it
 * is a data-plane node called {@link #name()}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Upstream {
  /** The node name (DNS-1123 label), used by {@link InjectFault#upstream()} and proxyUri. */
  String name();

  /** Where the real upstream listens, e.g. {@code http://localhost:8081}. */
  String url();
}
