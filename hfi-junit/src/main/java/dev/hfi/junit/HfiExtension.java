package dev.hfi.junit;

import dev.hfi.client.Durations;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiClient;
import dev.hfi.client.Names;
import dev.hfi.junit.internal.FaultAnnotations;
import dev.hfi.junit.internal.SharedStack;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestInstanceFactoryContext;
import org.junit.jupiter.api.extension.TestInstancePreConstructCallback;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ModifierSupport;

/**
 * The HFI JUnit 5 extension: runs test classes against a stack shared by the whole test run (the
 * control plane in-process, one embedded data-plane listener per upstream), applies each test's
 * {@link InjectFault} policies and waits until every live data plane has ACKed them, then deletes
 * them after the test (passed or failed) and waits again, so faults never leak into other tests.
 * Hands out {@link HfiStack} to test parameters.
 *
 * <p>Two ways in: {@link HfiTest} for fixed upstreams, or a {@code static} field registered with
 * {@code @RegisterExtension} for upstreams known only at run time (use one of the two per class).
 * The stack starts with the first class that needs it (in its {@code beforeAll}) and stops at the
 * end of the run. A registered extension answers {@link #proxyUri}, {@link #client()}, {@link
 * #inject} and the counters itself from the moment its {@code beforeAll} has run, like WireMock's
 * {@code WireMockExtension.baseUrl()}; an upstream's URL is read when its listener starts: at the
 * class's first test, or at the first {@link #proxyUri} for it, so a server started in a
 * {@code @BeforeAll} method is fine as long as nothing asks for its proxy before.
 *
 * <p>Under JUnit's parallel execution, tests that inject faults run alone: see {@link
 * HfiResourceLocks}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static HfiExtension hfi = HfiExtension.newInstance()
 *     .withUpstream("orders", () -> URI.create("http://localhost:" + orders.getAddress().getPort()))
 *     .build();
 *
 * @DynamicPropertySource                       // Spring: evaluated after beforeAll
 * static void urls(DynamicPropertyRegistry registry) {
 *   registry.add("orders.url", () -> hfi.proxyUri("orders").toString());
 * }
 *
 * @Test
 * void survivesAnOutageThatStartsMidway() {
 *   String id = client.place(book);
 *   hfi.inject(fault().onUpstream("orders").onPath("/api/orders/" + id).abort(503).times(2));
 *   assertThat(client.status(id)).isEqualTo("placed");
 *   assertThat(hfi.injectionsOnUpstream("orders")).isEqualTo(2);
 * }
 * }</pre>
 */
public final class HfiExtension
    implements BeforeAllCallback,
        TestInstancePreConstructCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver {

  /**
   * The resource-lock key of HFI's shared stack for {@code @ResourceLock}: a test that holds it
   * READ_WRITE (the default mode) runs alone among the tests that hold it. See {@link
   * HfiResourceLocks}.
   */
  public static final String STACK_LOCK = "dev.hfi.junit.stack";

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(HfiExtension.class);

  private final Map<String, Supplier<URI>> upstreams;
  private final DataPlaneMode dataPlane;
  private final StoreMode store;
  private final StackMode stack;
  private final Duration ackTimeout;
  private final boolean programmatic;
  private final String badSettings;
  private volatile HfiStack current;

  /** The stack of the test that ran {@link #beforeEach} last, for {@link #requests()}. */
  private volatile HfiStack currentStack;

  /** The declarative form, used by {@link HfiTest}: configuration comes from the annotation. */
  public HfiExtension() {
    this(Map.of(), DataPlaneMode.DEFAULT, StoreMode.DEFAULT, StackMode.DEFAULT, null, false, null);
  }

  private HfiExtension(
      Map<String, Supplier<URI>> upstreams,
      DataPlaneMode dataPlane,
      StoreMode store,
      StackMode stack,
      Duration ackTimeout,
      boolean programmatic,
      String badSettings) {
    this.upstreams = upstreams;
    this.dataPlane = dataPlane;
    this.store = store;
    this.stack = stack;
    this.ackTimeout = ackTimeout;
    this.programmatic = programmatic;
    this.badSettings = badSettings;
  }

  /** A builder for {@code @RegisterExtension}. */
  public static Builder newInstance() {
    return new Builder();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    if (!programmatic) {
      List<Field> registered =
          AnnotationSupport.findAnnotatedFields(
              testClass, RegisterExtension.class, f -> HfiExtension.class == f.getType());
      if (!registered.isEmpty()) {
        throw new ExtensionConfigurationException(
            "@HfiTest on "
                + testClass.getSimpleName()
                + ": the class also registers HfiExtension in field \""
                + registered.get(0).getName()
                + "\"; use either @HfiTest or @RegisterExtension, not both");
      }
    } else {
      registered(testClass);
    }
    Config config = config(testClass);
    SharedStack.Modes modes =
        SharedStack.resolve(config.dataPlane, config.store, config.stack, where(testClass));
    SharedStack running =
        context.getRoot().getStore(NAMESPACE).get(SharedStack.class, SharedStack.class);
    if (running != null) {
      running.requireModes(modes, where(testClass));
    }
    // Fail fast: every annotation of the class is checked before anything starts.
    for (Method m : testClass.getDeclaredMethods()) {
      if (!AnnotationSupport.findRepeatableAnnotations(m, InjectFault.class).isEmpty()) {
        policies(testClass, m, config);
      }
    }
    if (!classFaults(testClass).isEmpty()) {
      policies(testClass, null, config);
    }
    state(context);
  }

  /**
   * With {@code @TestInstance(PER_CLASS)} the instance is built before {@code beforeAll}, and
   * extensions that post-process it (Spring's, which loads the application context and so calls
   * {@code @DynamicPropertySource} suppliers) may already ask for {@link #proxyUri}.
   */
  @Override
  public void preConstructTestInstance(
      TestInstanceFactoryContext factoryContext, ExtensionContext context) {
    state(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    Method method = context.getRequiredTestMethod();
    Collection<FaultInjectionPolicy> policies = policies(testClass, method, config(testClass));
    // Under parallel execution: refused without the lock it needs; inject() needs it alone.
    String injectRefusal = HfiResourceLocks.check(context, testClass, method, !policies.isEmpty());
    ClassState state = state(context);
    HfiStack.TestScope scope =
        state.stack.begin(testClass.getSimpleName(), method.getName(), injectRefusal);
    context.getStore(NAMESPACE).put(HfiStack.TestScope.class, scope);
    state.stack.startAll();
    // Recorded before applying, so that cleanup also removes a partly applied set.
    policies.forEach(p -> scope.policies.add(p.name()));
    state.shared.applyAndAwait(policies, state.config.ackTimeout);
    state.stack.takeBaseline();
    currentStack = state.stack;
  }

  /**
   * The requests that reached this class's upstreams through HFI's proxies during the current test,
   * as {@link HfiStack#requests()}: e.g. {@code hfi.requests().to("orders").faulted().count()}.
   *
   * @throws IllegalStateException outside a test (before the first {@code beforeEach})
   */
  public RecordedRequests requests() {
    HfiStack stack = currentStack;
    if (stack == null) {
      throw new IllegalStateException(
          "requests(): no test has started yet; call it from a test or an @AfterEach method");
    }
    return stack.requests();
  }

  /** The class's and the method's policies, checked; misuse fails with the annotation's place. */
  private static Collection<FaultInjectionPolicy> policies(
      Class<?> testClass, Method method, Config config) {
    List<FaultInjectionPolicy> policies = new ArrayList<>();
    List<InjectFault> onClass = classFaults(testClass);
    for (int i = 0; i < onClass.size(); i++) {
      policies.add(
          FaultAnnotations.toPolicy(
              onClass.get(i),
              testClass.getSimpleName(),
              FaultAnnotations.policyName(testClass.getSimpleName(), Integer.toString(i + 1)),
              config.upstreams.keySet(),
              loader(testClass)));
    }
    List<InjectFault> onMethod =
        method == null
            ? List.of()
            : AnnotationSupport.findRepeatableAnnotations(method, InjectFault.class);
    String where =
        method == null
            ? testClass.getSimpleName()
            : testClass.getSimpleName() + "." + method.getName() + "()";
    for (int i = 0; i < onMethod.size(); i++) {
      policies.add(
          FaultAnnotations.toPolicy(
              onMethod.get(i),
              where,
              FaultAnnotations.policyName(
                  testClass.getSimpleName(), method.getName(), Integer.toString(i + 1)),
              config.upstreams.keySet(),
              loader(testClass)));
    }
    Map<String, FaultInjectionPolicy> byName = new LinkedHashMap<>();
    for (FaultInjectionPolicy p : policies) {
      if (byName.put(p.name(), p) != null) {
        throw new ExtensionConfigurationException(
            "@InjectFault on "
                + where
                + ": name: two policies are called \""
                + p.name()
                + "\"; give each its own name");
      }
    }
    return byName.values();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    HfiStack.TestScope scope =
        context.getStore(NAMESPACE).remove(HfiStack.TestScope.class, HfiStack.TestScope.class);
    if (scope == null) {
      return;
    }
    ClassState state = state(context);
    try {
      state.shared.deleteAndAwait(List.copyOf(scope.policies), state.config.ackTimeout);
    } finally {
      state.stack.end(scope);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == HfiStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return state(context).stack;
  }

  /**
   * The stack as this registered extension's test class sees it: the object tests get as an {@link
   * HfiStack} parameter.
   *
   * @throws IllegalStateException before the extension's {@code beforeAll} has run
   */
  public HfiStack stack() {
    HfiStack stack = current;
    if (stack == null) {
      throw new IllegalStateException(
          "HfiExtension: the stack is available once the extension's beforeAll has run (with"
              + " @TestInstance(PER_CLASS): once the test instance is about to be built): in"
              + " @BeforeAll methods, tests and Spring's @DynamicPropertySource suppliers;"
              + " register it in a static @RegisterExtension field (an instance field gets it at"
              + " the first test)");
    }
    return stack;
  }

  /** {@link HfiStack#proxyUri}: where a client reaches {@code upstream} through its proxy. */
  public URI proxyUri(String upstream) {
    return stack().proxyUri(upstream);
  }

  /** {@link HfiStack#client()}: the control-plane client; shared by the run, do not close it. */
  public HfiClient client() {
    return stack().client();
  }

  /** {@link HfiStack#inject}: applies {@code fault} for the rest of the current test. */
  public InjectedFault inject(HfiFault fault) {
    return stack().inject(fault);
  }

  /** {@link HfiStack#currentPolicies()}: the names of the current test's policies. */
  public List<String> currentPolicies() {
    return stack().currentPolicies();
  }

  /** {@link HfiStack#injectionsOnUpstream}: faults the proxy of {@code upstream} injected. */
  public long injectionsOnUpstream(String upstream) {
    return stack().injectionsOnUpstream(upstream);
  }

  /** {@link HfiStack#injectionsByPolicy}: how often the policy {@code policy} was injected. */
  public long injectionsByPolicy(String policy) {
    return stack().injectionsByPolicy(policy);
  }

  /** {@link HfiStack#aborts}: requests the proxy of {@code upstream} aborted in this test. */
  public long aborts(String upstream) {
    return stack().aborts(upstream);
  }

  /** {@link HfiStack#delays}: requests the proxy of {@code upstream} delayed in this test. */
  public long delays(String upstream) {
    return stack().delays(upstream);
  }

  private record Config(
      Map<String, Supplier<URI>> upstreams,
      DataPlaneMode dataPlane,
      StoreMode store,
      StackMode stack,
      Duration ackTimeout) {}

  private record ClassState(Config config, SharedStack shared, HfiStack stack) {}

  private ClassState state(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent()
        || classContext.getTestClass().orElse(null) != testClass) {
      classContext = classContext.getParent().orElseThrow();
    }
    ExtensionContext owner = classContext;
    ClassState state =
        owner
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                ClassState.class, k -> newState(owner, testClass), ClassState.class);
    current = state.stack;
    return state;
  }

  private ClassState newState(ExtensionContext context, Class<?> testClass) {
    Config config = config(testClass);
    SharedStack.Modes modes =
        SharedStack.resolve(config.dataPlane, config.store, config.stack, where(testClass));
    SharedStack shared =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                SharedStack.class, k -> SharedStack.start(modes), SharedStack.class);
    shared.requireModes(modes, where(testClass));
    HfiStack stack =
        new HfiStack(
            config.upstreams.keySet(),
            name ->
                shared.dataPlane(
                    name, url(name, config.upstreams.get(name), testClass), config.ackTimeout),
            shared,
            config.ackTimeout);
    return new ClassState(config, shared, stack);
  }

  private URI url(String name, Supplier<URI> supplier, Class<?> testClass) {
    URI uri;
    try {
      uri = supplier.get();
    } catch (RuntimeException e) {
      throw new ExtensionConfigurationException(
          where(testClass) + ": upstream \"" + name + "\": its URL supplier failed: " + e, e);
    }
    if (uri == null || !"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new ExtensionConfigurationException(
          where(testClass)
              + ": upstream \""
              + name
              + "\": url \""
              + uri
              + "\" must be an http URL with a host, e.g. http://localhost:8081");
    }
    return uri;
  }

  private Config config(Class<?> testClass) {
    if (badSettings != null) {
      throw new ExtensionConfigurationException(where(testClass) + ": " + badSettings);
    }
    if (programmatic) {
      return new Config(upstreams, dataPlane, store, stack, ackTimeout);
    }
    HfiTest test =
        findOnClassOrEnclosing(testClass)
            .orElseThrow(
                () ->
                    new ExtensionConfigurationException(
                        testClass.getSimpleName()
                            + ": HfiExtension used without configuration; annotate the class with"
                            + " @HfiTest(upstreams = ...) or register"
                            + " HfiExtension.newInstance()...build() with @RegisterExtension"));
    List<String> problems = new ArrayList<>();
    Map<String, Supplier<URI>> declared = new LinkedHashMap<>();
    for (Upstream u : test.upstreams()) {
      String badName = Names.checkDns1123Label("upstreams: @Upstream(name)", u.name());
      if (badName != null) {
        problems.add(
            badName
                + "; it is also the data plane's node name"
                + (u.name().isEmpty()
                    ? ""
                    : ", e.g. \"" + FaultAnnotations.policyName(u.name()) + "\""));
      } else if (declared.containsKey(u.name())) {
        problems.add("upstreams: \"" + u.name() + "\" declared twice; give each its own name");
      }
      try {
        URI uri = URI.create(u.url());
        declared.putIfAbsent(u.name(), () -> uri);
      } catch (IllegalArgumentException e) {
        problems.add("upstreams: url \"" + u.url() + "\" of \"" + u.name() + "\" is not a URL");
      }
    }
    Duration ackTimeout = ackTimeout(test.ackTimeout(), problems);
    if (!problems.isEmpty()) {
      throw new ExtensionConfigurationException(
          "@HfiTest on " + testClass.getSimpleName() + ": " + String.join("; ", problems));
    }
    return new Config(declared, test.dataPlane(), test.store(), test.stack(), ackTimeout);
  }

  private static Optional<HfiTest> findOnClassOrEnclosing(Class<?> testClass) {
    for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
      Optional<HfiTest> found = AnnotationSupport.findAnnotation(c, HfiTest.class);
      if (found.isPresent()) {
        return found;
      }
      if (ModifierSupport.isStatic(c)) {
        break;
      }
    }
    return Optional.empty();
  }

  private static List<InjectFault> classFaults(Class<?> testClass) {
    List<InjectFault> out = new ArrayList<>();
    List<Class<?>> chain = new ArrayList<>();
    for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
      chain.add(0, c);
      if (ModifierSupport.isStatic(c)) {
        break;
      }
    }
    for (Class<?> c : chain) {
      out.addAll(AnnotationSupport.findRepeatableAnnotations(c, InjectFault.class));
    }
    return out;
  }

  private void registered(Class<?> testClass) {
    if (AnnotationSupport.findAnnotation(testClass, HfiTest.class).isPresent()) {
      throw new ExtensionConfigurationException(
          "@HfiTest on "
              + testClass.getSimpleName()
              + ": the class also registers HfiExtension with @RegisterExtension; use either"
              + " @HfiTest or @RegisterExtension, not both");
    }
  }

  private static String where(Class<?> testClass) {
    return testClass.getSimpleName();
  }

  private static ClassLoader loader(Class<?> testClass) {
    return testClass.getClassLoader();
  }

  /** {@link HfiTest#ackTimeout()} read, or null after adding to {@code problems} what is wrong. */
  static Duration ackTimeout(String text, List<String> problems) {
    String problem = Durations.check("ackTimeout", text);
    if (problem == null && Durations.parse(text).isZero()) {
      problem = "ackTimeout: must be positive";
    }
    if (problem != null) {
      problems.add(problem);
      return null;
    }
    return Durations.parse(text);
  }

  /**
   * Configures an {@link HfiExtension} for {@code @RegisterExtension}. {@link #build()} checks the
   * settings; a test class that uses an extension with bad settings fails before anything starts,
   * with an {@code ExtensionConfigurationException} naming every one (rather than an {@code
   * ExceptionInInitializerError} from the static field). Not thread-safe.
   */
  public static final class Builder {
    private final Map<String, Supplier<URI>> upstreams = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private DataPlaneMode dataPlane = DataPlaneMode.DEFAULT;
    private StoreMode store = StoreMode.DEFAULT;
    private StackMode stack = StackMode.DEFAULT;
    private Duration ackTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /** An upstream whose URL is fixed. */
    public Builder withUpstream(String name, URI url) {
      Objects.requireNonNull(url, "url");
      return withUpstream(name, () -> url);
    }

    /**
     * An upstream whose URL is known only at run time; {@code url} is called at the class's first
     * test (after {@code @BeforeAll}).
     */
    public Builder withUpstream(String name, Supplier<URI> url) {
      String badName = Names.checkDns1123Label("withUpstream name", name);
      if (badName != null) {
        problems.add(
            badName
                + "; it is also the data plane's node name"
                + (name == null || name.isEmpty()
                    ? ""
                    : ", e.g. \"" + FaultAnnotations.policyName(name) + "\""));
      } else if (upstreams.containsKey(name)) {
        problems.add("withUpstream: \"" + name + "\" added twice; give each its own name");
      }
      upstreams.put(name, Objects.requireNonNull(url, "url"));
      return this;
    }

    /** The data plane; default: system property {@code hfi.dataPlane}, else EMBEDDED. */
    public Builder withDataPlane(DataPlaneMode dataPlane) {
      this.dataPlane = Objects.requireNonNull(dataPlane, "dataPlane");
      return this;
    }

    /** The policy store; default: system property {@code hfi.store}, else MEMORY. */
    public Builder withStore(StoreMode store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Where the stack runs; default: system property {@code hfi.stack}, else IN_PROCESS. */
    public Builder withStack(StackMode stack) {
      this.stack = Objects.requireNonNull(stack, "stack");
      return this;
    }

    /** How long to wait for every data plane to ACK a change; default 10 s. */
    public Builder withAckTimeout(Duration ackTimeout) {
      this.ackTimeout = ackTimeout;
      return this;
    }

    /**
     * Checks the settings and builds the extension; bad settings fail the test class that uses it.
     */
    public HfiExtension build() {
      List<String> errors = new ArrayList<>(problems);
      if (ackTimeout == null || ackTimeout.isZero() || ackTimeout.isNegative()) {
        errors.add(
            "withAckTimeout(" + Durations.format(ackTimeout) + "): must be positive, e.g. 10 s");
      }
      return new HfiExtension(
          Collections.unmodifiableMap(new LinkedHashMap<>(upstreams)),
          dataPlane,
          store,
          stack,
          ackTimeout,
          true,
          errors.isEmpty() ? null : "HfiExtension.newInstance(): " + String.join("; ", errors));
    }
  }
}
