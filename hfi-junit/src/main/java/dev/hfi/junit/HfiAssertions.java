package dev.hfi.junit;

/**
 * AssertJ entry point for what the data planes saw during the current test.
 *
 * <pre>{@code
 * import static dev.hfi.junit.HfiAssertions.assertThat;
 *
 * assertThat(stack).hasInjectionsOnUpstream("orders", 2).hasAborted("orders", 2).hasDelayed("orders", 0);
 * }</pre>
 */
public final class HfiAssertions {
  private HfiAssertions() {}

  /** Assertions on the injections counted by the data planes of {@code stack}. */
  public static HfiStackAssert assertThat(HfiStack stack) {
    return new HfiStackAssert(stack);
  }

  /** Assertions on the stack of a registered {@code hfi}: {@code assertThat(hfi.stack())}. */
  public static HfiStackAssert assertThat(HfiExtension hfi) {
    return new HfiStackAssert(hfi.stack());
  }
}
