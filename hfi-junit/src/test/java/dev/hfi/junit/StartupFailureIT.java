package dev.hfi.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * A stack that cannot start fails the class at once with the cause, and leaves nothing running that
 * would keep the JVM from exiting (a run that never ends is how a broken start used to show).
 *
 * <p>The fixture runs in a class loader of its own over the test class path, in which one class of
 * the embedded proxy's Jetty is really missing: the one its listeners need when they start, after
 * the proxy's thread pool and HTTP client are already running (as when a build's dependency
 * management swaps a library HFI needs).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StartupFailureIT {
  /** Loaded by {@code AbstractConnector.doStart}, once the server's threads run. */
  private static final String MISSING = "org.eclipse.jetty.server.AbstractConnector$Acceptor";

  /** Where the embedded proxy's Jetty lives in hfi-testkit-envoy's jar. */
  private static final String PROXY_SHADED = "dev.hfi.testkit.internal.shaded.";

  @Test
  void aProxyThatCannotStartFailsTheClassAtOnceAndLeavesNoThreadRunning() throws Exception {
    Duration ackTimeout = Duration.ofSeconds(30);
    long t0 = System.nanoTime();
    EngineExecutionResults results;
    Duration took;
    List<Thread> leftRunning;
    try (WithoutClass loader = new WithoutClass()) {
      Thread current = Thread.currentThread();
      ClassLoader previous = current.getContextClassLoader();
      current.setContextClassLoader(loader);
      try {
        results =
            EngineTestKit.engine("junit-jupiter")
                .configurationParameter(Fixture.PARAMETER, "true")
                .selectors(selectClass(loader.loadClass(CannotStart.class.getName())))
                .execute();
      } finally {
        current.setContextClassLoader(previous);
      }
      took = Duration.ofNanos(System.nanoTime() - t0);
      leftRunning = nonDaemonThreadsOf(loader);
    }

    List<Event> failed = results.testEvents().failed().list();
    assertThat(failed).hasSize(1);
    Throwable failure =
        failed.get(0).getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    assertThat(causes(failure))
        .as("the cause, as thrown")
        .anySatisfy(
            c ->
                assertThat(c)
                    .isInstanceOf(NoClassDefFoundError.class)
                    .hasMessageContaining("AbstractConnector$Acceptor"));
    assertThat(took).as("failed without waiting for an ACK").isLessThan(ackTimeout);
    assertThat(leftRunning).as("non-daemon threads the failed start left running").isEmpty();
  }

  /**
   * The failed run's non-daemon threads (those that keep a JVM from exiting) still alive after
   * waiting up to 5 s in all for them to end.
   */
  private static List<Thread> nonDaemonThreadsOf(ClassLoader loader) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    List<Thread> alive = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!t.isDaemon() && t.getContextClassLoader() == loader) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (t.isAlive()) {
          alive.add(t);
        }
      }
    }
    return alive;
  }

  private static List<Throwable> causes(Throwable t) {
    List<Throwable> out = new ArrayList<>();
    for (Throwable c = t; c != null && !out.contains(c); c = c.getCause()) {
      out.add(c);
    }
    return out;
  }

  @Fixture
  @HfiTest(upstreams = @Upstream(name = "svc", url = "http://127.0.0.1:9"), ackTimeout = "30s")
  static class CannotStart {
    @Test
    void neverRuns() {}
  }

  /**
   * The test class path, child first, without the proxy's {@link #MISSING} (without everyone's when
   * HFI's jars are not shaded, as when this module is built alone against older ones); JUnit's own
   * classes come from the parent, so that the engine sees the fixture's annotations.
   */
  private static final class WithoutClass extends URLClassLoader {
    WithoutClass() throws MalformedURLException {
      super(classPath(), StartupFailureIT.class.getClassLoader());
    }

    private static URL[] classPath() throws MalformedURLException {
      String path =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<URL> urls = new ArrayList<>();
      for (String entry : path.split(File.pathSeparator)) {
        if (!entry.isBlank()) {
          urls.add(new File(entry).toURI().toURL());
        }
      }
      return urls.toArray(URL[]::new);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        if (name.equals(MISSING) || name.equals(PROXY_SHADED + MISSING)) {
          throw new ClassNotFoundException(name);
        }
        if (name.startsWith("java.")
            || name.startsWith("javax.")
            || name.startsWith("jdk.")
            || name.startsWith("sun.")
            || name.startsWith("org.junit.")
            || name.startsWith("org.opentest4j.")
            || name.startsWith("org.apiguardian.")) {
          return super.loadClass(name, resolve);
        }
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          try {
            c = findClass(name);
          } catch (ClassNotFoundException e) {
            return super.loadClass(name, resolve);
          }
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }
}
