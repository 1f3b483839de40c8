package dev.hfi.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The abort of an {@link InjectFault}: answer locally with {@link #httpStatus()} (200..599) or a
 * gRPC status, without calling the upstream.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Abort {
  /** HTTP status to answer with, 200..599; -1 = not set. */
  int httpStatus() default -1;

  /** gRPC status code 0..16 instead of an HTTP status; -1 = not set. */
  int grpcStatus() default -1;

  /** Response body; empty = none. */
  String body() default "";
}
