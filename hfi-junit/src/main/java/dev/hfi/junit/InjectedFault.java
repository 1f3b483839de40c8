package dev.hfi.junit;

/**
 * A fault injected with {@link HfiStack#inject} or {@link HfiExtension#inject}: its policy's name,
 * how often it was injected, and a way to remove it before the test ends (the extension removes it
 * after the test otherwise). Thread-safe.
 *
 * <pre>{@code
 * InjectedFault flaky = hfi.inject(fault().onUpstream("inventory").abort(503).percentage(50));
 * ...
 * flaky.remove();                  // the dependency recovers; returns once every proxy applied it
 * }</pre>
 */
public final class InjectedFault {
  private final HfiStack stack;
  private final String name;

  InjectedFault(HfiStack stack, String name) {
    this.stack = stack;
    this.name = name;
  }

  /** The policy's name ({@code metadata.name}), as in {@code x-hfi-fault} and the counters. */
  public String name() {
    return name;
  }

  /** How often the data planes injected this fault during the current test. */
  public long injections() {
    return stack.injectionsByPolicy(name);
  }

  /**
   * Deletes the policy and returns once every live data plane has applied the deletion; a fault
   * already removed (or expired) is left alone.
   */
  public void remove() {
    stack.remove(name);
  }

  @Override
  public String toString() {
    return "InjectedFault[" + name + "]";
  }
}
