package dev.hfi.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Runs a test class against the shared HFI stack (in-process control plane, one data-plane listener
 * per upstream), for upstreams whose address is fixed. For upstreams known only at run time,
 * register {@link HfiExtension#newInstance()} with {@code @RegisterExtension} instead. Under
 * JUnit's parallel execution its tests that inject faults run alone ({@link HfiResourceLocks}).
 *
 * <pre>{@code
 * @HfiTest(upstreams = @Upstream(name = "orders", url = "http://localhost:8081"))
 * class OrdersTest {
 *   @Test
 *   @InjectFault(upstream = "orders", abort = @Abort(httpStatus = 503))
 *   void failsOver(HfiStack stack) { ... stack.proxyUri("orders") ... }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(HfiExtension.class)
@ResourceLock(providers = HfiResourceLocks.class)
public @interface HfiTest {
  /** The upstreams the code under test calls; each gets a proxy listener named after it. */
  Upstream[] upstreams() default {};

  /** Which data plane runs the filter; {@code DEFAULT} = system property {@code hfi.dataPlane}. */
  DataPlaneMode dataPlane() default DataPlaneMode.DEFAULT;

  /** Which store the control plane keeps policies in; {@code DEFAULT} = {@code hfi.store}. */
  StoreMode store() default StoreMode.DEFAULT;

  /**
   * Where the stack runs: in this JVM (default) or as containers; {@code DEFAULT} = system property
   * {@code hfi.stack}.
   */
  StackMode stack() default StackMode.DEFAULT;

  /**
   * How long to wait for every data plane to ACK a policy change, e.g. {@code "10s"} or {@code
   * "1m30s"} (the grammar of {@link dev.hfi.client.Durations}).
   */
  String ackTimeout() default "10s";
}
