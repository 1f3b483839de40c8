package dev.hfi.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The delay of an {@link InjectFault}: hold each matching request, e.g. {@code "2s"}, 1ms..1h. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Delay {
  /**
   * How long to hold the request, 1ms..1h ({@code 250ms}, {@code 1.5s}, {@code 1m30s}: the grammar
   * of {@link dev.hfi.client.Durations}); empty = no delay.
   */
  String fixedDelay() default "";
}
