package dev.hfi.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A request-header condition of an {@link InjectFault}: the name plus exactly one matcher. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Header {
  /** Header name (case-insensitive). */
  String name();

  /** The whole value. */
  String exact() default "";

  /** A prefix of the value. */
  String prefix() default "";

  /** An RE2 regular expression for the whole value. */
  String regex() default "";

  /** True: the header only has to be present. */
  boolean present() default false;
}
