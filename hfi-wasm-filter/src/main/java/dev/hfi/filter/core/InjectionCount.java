package dev.hfi.filter.core;

/**
 * The value kept in proxy shared data per policy to count injections across all VMs of one proxy:
 * {@code "<generation>:<count>"} in ASCII. A new generation of the policy starts again from zero.
 */
public final class InjectionCount {
  private InjectionCount() {}

  /** The shared-data key for a policy. */
  public static String key(String policy) {
    return "hfi.injections." + policy;
  }

  /**
   * The count stored in {@code value} for {@code generation}; 0 when there is no value or it
   * belongs to another generation.
   *
   * @throws IllegalStateException if the value is not of this format (someone else wrote the key)
   */
  public static long count(byte[] value, long generation) {
    if (value == null || value.length == 0) {
      return 0;
    }
    String s = Bytes.string(value, 0, value.length);
    int colon = s.indexOf(':');
    try {
      if (colon < 0) {
        throw new NumberFormatException("no ':'");
      }
      long gen = Long.parseLong(s.substring(0, colon));
      long count = Long.parseLong(s.substring(colon + 1));
      return gen == generation ? count : 0;
    } catch (NumberFormatException e) {
      throw new IllegalStateException("shared data of injection counter is corrupt: " + s);
    }
  }

  public static byte[] encode(long generation, long count) {
    return Bytes.utf8(generation + ":" + count);
  }
}
