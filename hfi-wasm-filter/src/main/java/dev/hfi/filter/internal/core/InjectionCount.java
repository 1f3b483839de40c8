package dev.hfi.filter.internal.core;

/**
 * The value kept in proxy shared data per policy to count injections across all VMs of one proxy:
 * {@code "<generation>:<count>"} in ASCII. A new generation of the policy starts again from zero.
 */
public final class InjectionCount {
  /**
   * CAS for creating a counter ({@code 0xffffffff}): Envoy creates a missing key whatever the CAS,
   * and numbers its writes from 1 upwards proxy-wide, so an existing value holds this CAS only if
   * its last write was the 2^32 - 1st.
   */
  public static final int CREATE_CAS = -1;

  private InjectionCount() {}

  /** The value of a counter that no generation has claimed from (generation 0, count 0). */
  public static byte[] unclaimed() {
    return encode(0, 0);
  }

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
