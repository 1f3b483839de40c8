package dev.hfi.junit;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.ResourceLocksProvider;
import org.junit.jupiter.api.parallel.Resources;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ModifierSupport;

/**
 * Makes HFI tests safe under JUnit's parallel execution ({@code
 * junit.jupiter.execution.parallel.enabled=true}): every test of the class reads the stack lock
 * {@link HfiExtension#STACK_LOCK}, and a class whose tests inject faults with {@link InjectFault}
 * holds it alone, so no test sees another's faults while tests without faults still run side by
 * side. {@link HfiTest} classes have it; a class that registers {@link HfiExtension} with
 * {@code @RegisterExtension} declares it:
 *
 * <pre>{@code
 * @ResourceLock(providers = HfiResourceLocks.class)
 * class OrdersClientIT {
 *   @RegisterExtension static HfiExtension hfi = HfiExtension.newInstance()...build();
 * }
 * }</pre>
 *
 * <p>A test that injects only with {@code inject(...)} cannot be seen from its annotations: put
 * {@code @ResourceLock(HfiExtension.STACK_LOCK)} on it. Under parallel execution, the extension
 * refuses (with this advice) a test that does not hold the lock it needs, rather than let faults
 * mix. Stateless and thread-safe.
 */
public final class HfiResourceLocks implements ResourceLocksProvider {
  static final String PARALLEL = "junit.jupiter.execution.parallel.enabled";

  /** What a test holds of {@link HfiExtension#STACK_LOCK}. */
  enum Access {
    NONE,
    READ,
    READ_WRITE
  }

  /** For JUnit, which instantiates providers named in {@code @ResourceLock(providers = ...)}. */
  public HfiResourceLocks() {}

  @Override
  public Set<Lock> provideForClass(Class<?> testClass) {
    return Set.of(
        new Lock(
            HfiExtension.STACK_LOCK,
            injectsOnClass(testClass) ? ResourceAccessMode.READ_WRITE : ResourceAccessMode.READ));
  }

  @Override
  public Set<Lock> provideForNestedClass(
      List<Class<?>> enclosingInstanceTypes, Class<?> testClass) {
    return provideForClass(testClass);
  }

  @Override
  public Set<Lock> provideForMethod(
      List<Class<?>> enclosingInstanceTypes, Class<?> testClass, Method testMethod) {
    return injects(testMethod)
        ? Set.of(new Lock(HfiExtension.STACK_LOCK, ResourceAccessMode.READ_WRITE))
        : Set.of();
  }

  /**
   * Under parallel execution, fails a test that lacks the lock it needs, naming the fix.
   *
   * @param injects whether the test has {@link InjectFault} policies
   * @return null when the test may call {@code inject(...)}, else why not and how to fix it
   * @throws ExtensionConfigurationException when the test must not run as it is
   */
  static String check(
      ExtensionContext context, Class<?> testClass, Method method, boolean injects) {
    boolean parallel =
        context.getConfigurationParameter(PARALLEL).map(Boolean::parseBoolean).orElse(false);
    if (!parallel) {
      return null;
    }
    Access held = held(testClass, method);
    String test = testClass.getSimpleName() + "." + method.getName() + "()";
    if (held == Access.NONE || injects && held != Access.READ_WRITE) {
      throw new ExtensionConfigurationException(
          test
              + ": JUnit runs tests in parallel ("
              + PARALLEL
              + "=true) and this test "
              + (injects
                  ? "injects faults without holding HFI's stack lock alone, so tests running"
                      + " beside it would see its faults"
                  : "does not hold HFI's stack lock, so faults injected by tests running beside it"
                      + " could reach its requests")
              + "; put @ResourceLock(providers = HfiResourceLocks.class) on the class (tests"
              + " that inject then run alone; @HfiTest classes have it), or"
              + " @ResourceLock(HfiExtension.STACK_LOCK) on the test");
    }
    return held == Access.READ_WRITE
        ? null
        : test
            + ": inject(...) under JUnit's parallel execution ("
            + PARALLEL
            + "=true) needs the test to hold HFI's stack lock alone, so that no test beside it sees"
            + " the fault; put @ResourceLock(HfiExtension.STACK_LOCK) on the test method (or its"
            + " class)";
  }

  /**
   * What {@code method} of {@code testClass} holds of the stack lock, from its annotations and
   * those of its class and the enclosing classes (a lock on a class covers its nested classes).
   */
  static Access held(Class<?> testClass, Method method) {
    List<AnnotatedElement> chain = new ArrayList<>();
    chain.add(method);
    for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
      chain.add(c);
      if (ModifierSupport.isStatic(c)) {
        break; // a static nested class is a test class of its own, outside the enclosing's locks
      }
    }
    Access access = Access.NONE;
    boolean provider = false;
    boolean injects = injects(method);
    for (AnnotatedElement e : chain) {
      if (AnnotationSupport.isAnnotated(e, Isolated.class)) {
        return Access.READ_WRITE;
      }
      for (ResourceLock lock : AnnotationSupport.findRepeatableAnnotations(e, ResourceLock.class)) {
        if (HfiExtension.STACK_LOCK.equals(lock.value()) || Resources.GLOBAL.equals(lock.value())) {
          access =
              max(
                  access,
                  lock.mode() == ResourceAccessMode.READ_WRITE ? Access.READ_WRITE : Access.READ);
        }
        provider |= Arrays.asList(lock.providers()).contains(HfiResourceLocks.class);
      }
      if (e instanceof Class<?> c && injectsOnClass(c)) {
        injects = true;
      }
    }
    if (provider) {
      access = max(access, injects ? Access.READ_WRITE : Access.READ);
    }
    return access;
  }

  private static Access max(Access a, Access b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static boolean injects(Method method) {
    return !AnnotationSupport.findRepeatableAnnotations(method, InjectFault.class).isEmpty();
  }

  private static boolean injectsOnClass(Class<?> testClass) {
    return !AnnotationSupport.findRepeatableAnnotations(testClass, InjectFault.class).isEmpty();
  }
}
