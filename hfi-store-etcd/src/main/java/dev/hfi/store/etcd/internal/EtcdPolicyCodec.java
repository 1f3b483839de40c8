package dev.hfi.store.etcd.internal;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.FaultInjectionPolicy.Fault;
import dev.hfi.client.FaultInjectionPolicy.Spec;
import dev.hfi.client.HfiException;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.PolicyCodec;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import java.nio.charset.StandardCharsets;

/**
 * A policy as an etcd value: its JSON without {@code resourceVersion}, which is the key's mod
 * revision and only known once the transaction commits.
 */
public final class EtcdPolicyCodec {
  private EtcdPolicyCodec() {}

  /** The value to store. */
  public static ByteSequence encode(FaultInjectionPolicy policy) {
    return ByteSequence.from(
        PolicyCodec.toJson(policy.withResourceVersion(null)), StandardCharsets.UTF_8);
  }

  /** The policy held by {@code kv}, with its mod revision as resourceVersion. */
  public static FaultInjectionPolicy decode(KeyValue kv) {
    return decode(kv.getValue(), kv.getModRevision());
  }

  /** The policy in {@code value}, stored at {@code modRevision}. */
  public static FaultInjectionPolicy decode(ByteSequence value, long modRevision) {
    FaultInjectionPolicy p;
    try {
      p = PolicyCodec.read(value.toString(StandardCharsets.UTF_8), PolicyCodec.Format.JSON);
    } catch (InvalidPolicyException e) {
      throw new HfiException(
          ErrorCode.INTERNAL,
          "etcd holds a value that is not a policy (mod revision "
              + modRevision
              + "): "
              + e.getMessage(),
          e);
    }
    return normalize(p).withResourceVersion(Long.toString(modRevision));
  }

  /**
   * Percentages as {@code PolicyWrites} keeps them (no trailing zeros), so that a policy read back
   * equals the one written and an identical apply is UNCHANGED.
   */
  private static FaultInjectionPolicy normalize(FaultInjectionPolicy p) {
    Spec s = p.spec();
    if (s == null || s.fault() == null || s.fault().percentage() == null) {
      return p;
    }
    Fault f = s.fault();
    Fault n =
        new Fault(f.percentage().stripTrailingZeros(), f.abort(), f.delay(), f.maxInjections());
    return new FaultInjectionPolicy(
        p.apiVersion(),
        p.kind(),
        p.metadata(),
        new Spec(s.priority(), s.target(), s.match(), n, s.duration()),
        p.status());
  }
}
