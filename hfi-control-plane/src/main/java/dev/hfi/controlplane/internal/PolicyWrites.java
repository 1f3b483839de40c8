package dev.hfi.controlplane.internal;

import dev.hfi.client.ApplyResult.Outcome;
import dev.hfi.client.ConflictException;
import dev.hfi.client.Durations;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.FaultInjectionPolicy.Fault;
import dev.hfi.client.FaultInjectionPolicy.Metadata;
import dev.hfi.client.FaultInjectionPolicy.Spec;
import dev.hfi.client.FaultInjectionPolicy.Status;
import dev.hfi.client.PolicyCodec;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The store-independent half of a write, shared by every {@code PolicyStore}: the optimistic
 * resourceVersion check, the unchanged test and the server-set fields. A store calls it inside its
 * own atomic section (a lock, an etcd transaction), after validating the policy once with {@link
 * PolicyCodec#validate} outside it (validation measures every regex, which an etcd store would
 * otherwise repeat on each compare-and-swap attempt).
 */
public final class PolicyWrites {
  private PolicyWrites() {}

  /** The outcome of {@link #prepare} and the policy to store (the existing one when unchanged). */
  public record Prepared(Outcome outcome, FaultInjectionPolicy policy) {}

  /**
   * Decides what applying {@code incoming} (already validated) over {@code existing} (null when
   * absent) does, and builds the policy to store at {@code nextRevision}.
   */
  public static Prepared prepare(
      FaultInjectionPolicy existing,
      FaultInjectionPolicy incoming,
      long nextRevision,
      Instant now) {
    String name = incoming.name();
    String expected = incoming.metadata().resourceVersion();
    if (expected != null) {
      if (existing == null) {
        throw new ConflictException(
            "policy \""
                + name
                + "\" does not exist, but the request carries resourceVersion \""
                + expected
                + "\"; leave metadata.resourceVersion out to create it");
      }
      checkVersion(existing, expected);
    }
    Spec spec = normalize(incoming.spec());
    Map<String, String> labels = emptyToNull(incoming.metadata().labels());
    if (existing != null
        && Objects.equals(existing.spec(), spec)
        && Objects.equals(emptyToNull(existing.metadata().labels()), labels)) {
      return new Prepared(Outcome.UNCHANGED, existing);
    }
    String at = timestamp(now);
    String created = existing == null ? at : existing.metadata().creationTimestamp();
    String expiresAt = null;
    if (spec.duration() != null) {
      Duration d = Durations.parse(spec.duration());
      expiresAt = timestamp(now.plus(d));
    }
    FaultInjectionPolicy stored =
        new FaultInjectionPolicy(
            FaultInjectionPolicy.API_VERSION,
            FaultInjectionPolicy.KIND,
            new Metadata(name, labels, Long.toString(nextRevision), created),
            spec,
            new Status(at, expiresAt));
    return new Prepared(existing == null ? Outcome.CREATED : Outcome.CONFIGURED, stored);
  }

  /** Throws {@link ConflictException} unless {@code existing} is at {@code expected}. */
  public static void checkVersion(FaultInjectionPolicy existing, String expected) {
    String actual = existing.metadata().resourceVersion();
    if (!actual.equals(expected)) {
      throw new ConflictException(
          "policy \""
              + existing.name()
              + "\" was modified: its resourceVersion is \""
              + actual
              + "\", the request carries \""
              + expected
              + "\"; read it again and retry");
    }
  }

  /** RFC 3339 in UTC with millisecond precision. */
  public static String timestamp(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MILLIS));
  }

  /** The instant of an RFC 3339 timestamp written by {@link #timestamp}. */
  public static Instant parseTimestamp(String text) {
    return Instant.parse(text);
  }

  private static Spec normalize(Spec s) {
    Fault f = s.fault();
    if (f != null && f.percentage() != null) {
      f = new Fault(f.percentage().stripTrailingZeros(), f.abort(), f.delay(), f.maxInjections());
    }
    return new Spec(s.priority(), s.target(), s.match(), f, s.duration());
  }

  private static Map<String, String> emptyToNull(Map<String, String> m) {
    return m == null || m.isEmpty() ? null : Collections.unmodifiableMap(new TreeMap<>(m));
  }
}
