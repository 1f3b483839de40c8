package dev.hfi.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fault policy in force during a test. On a method it applies to that test; on a class, to every
 * test of the class. Before each test the extension applies all of them and waits until every live
 * data plane has ACKed them; after the test (passed or failed) it deletes them and waits again.
 *
 * <p>Attributes mirror the policy fields: at most one of {@link #path()} (prefix), {@link
 * #pathExact()}, {@link #pathRegex()}; {@link #abort()} and/or {@link #delay()} (at least one).
 * Alternatively {@link #policy()} loads a whole policy file (YAML or JSON): its name, match and
 * fault kind come from the file ({@link #name()}, the path, method and header attributes, the abort
 * status and {@link #delay()} must stay unset), while {@link #upstream()}, {@link #percentage()},
 * {@link #maxInjections()}, {@link #priority()}, {@link #duration()} and the abort's body and
 * headers override the file's values when set (an attribute left at its default keeps the file's).
 *
 * <p>For faults that depend on what the test has done so far, use {@code hfi.inject(...)} with
 * {@link HfiFault} instead: same mapping, same wait for the ACKs, same removal after the test.
 *
 * <pre>{@code
 * @Test
 * @InjectFault(upstream = "orders", path = "/api/orders", abort = @Abort(httpStatus = 503), maxInjections = 2)
 * @InjectFault(policy = "classpath:policies/slow-orders.yaml")
 * void survives(HfiStack stack) { ... }
 * }</pre>
 */
@Documented
@Inherited
@Repeatable(InjectFaults.class)
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface InjectFault {
  /** Policy name; empty = derived from the test class and method, unique within the run. */
  String name() default "";

  /** The upstream (node) whose proxy injects; empty = every upstream. */
  String upstream() default "";

  /** Path prefix, e.g. {@code /api/orders}. */
  String path() default "";

  /** Exact path. */
  String pathExact() default "";

  /** RE2 regular expression for the whole path. */
  String pathRegex() default "";

  /** HTTP method, e.g. {@code POST}; empty = any. */
  String method() default "";

  /** Request-header conditions; all must hold. */
  Header[] headers() default {};

  /** The abort to inject. */
  Abort abort() default @Abort;

  /** The delay to inject (before the abort, when both are set). */
  Delay delay() default @Delay;

  /**
   * Share of matching requests that get the fault, 0..100 with up to 4 decimals (one request per
   * million), kept as written: {@code 33.3333} is 33.3333 %.
   */
  double percentage() default 100;

  /** Inject at most this many times, then pass requests through; 0 = no limit. */
  int maxInjections() default 0;

  /** Priority among policies; higher is tried first. */
  int priority() default 0;

  /**
   * The policy expires by itself after this long, e.g. {@code "10m"} or {@code "1m30s"} (the
   * grammar of {@link dev.hfi.client.Durations}); empty = never.
   */
  String duration() default "";

  /**
   * A policy file instead of inline attributes: {@code classpath:policies/x.yaml}, {@code
   * file:/abs/path.yaml} or a path relative to the working directory.
   */
  String policy() default "";
}
