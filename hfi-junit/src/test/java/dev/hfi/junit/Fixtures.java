package dev.hfi.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Arrays;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Runs {@link Fixture} classes in a JUnit run of their own (own root context, own stack). */
final class Fixtures {
  private Fixtures() {}

  static EngineExecutionResults run(Class<?>... classes) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter(Fixture.PARAMETER, "true")
        .selectors(Arrays.stream(classes).map(c -> selectClass(c)).toArray(ClassSelector[]::new))
        .execute();
  }
}
