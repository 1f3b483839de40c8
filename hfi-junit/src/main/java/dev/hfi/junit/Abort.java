package dev.hfi.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The abort of an {@link InjectFault}: answer locally with {@link #httpStatus()} (200..599) or a
 * gRPC status, without calling the upstream.
 *
 * <pre>{@code
 * @InjectFault(abort = @Abort(httpStatus = 503, body = "busy", headers = "retry-after: 1"))
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Abort {
  /** HTTP status to answer with, 200..599; -1 = not set. */
  int httpStatus() default -1;

  /** gRPC status code 0..16 instead of an HTTP status; -1 = not set. */
  int grpcStatus() default -1;

  /** Response body (with {@link #httpStatus()}); empty = none. */
  String body() default "";

  /**
   * Response headers (with {@link #httpStatus()}), each {@code "name: value"}, e.g. {@code
   * "retry-after: 1"}; names are lower-case. The proxy adds {@code x-hfi-fault} itself.
   */
  String[] headers() default {};
}
