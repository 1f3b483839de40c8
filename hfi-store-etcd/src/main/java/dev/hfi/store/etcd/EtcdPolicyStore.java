package dev.hfi.store.etcd;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.ConflictException;
import dev.hfi.client.DeletedPolicy;
import dev.hfi.client.Durations;
import dev.hfi.client.ErrorCode;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.HfiException;
import dev.hfi.client.PolicyCodec;
import dev.hfi.client.PolicyNotFoundException;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.client.StoreUnavailableException;
import dev.hfi.controlplane.PolicyStore;
import dev.hfi.controlplane.SharedPolicyStore;
import dev.hfi.controlplane.internal.DaemonThreads;
import dev.hfi.controlplane.internal.PolicyWrites;
import dev.hfi.store.etcd.internal.EtcdCalls;
import dev.hfi.store.etcd.internal.EtcdLeadership;
import dev.hfi.store.etcd.internal.EtcdMirror;
import dev.hfi.store.etcd.internal.EtcdPolicyCodec;
import dev.hfi.store.etcd.internal.EtcdReconnect;
import dev.hfi.store.etcd.internal.EtcdWatch;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * A {@link PolicyStore} in etcd (v3 API, etcd 3.4 or newer), so that policies survive restarts and
 * several control-plane replicas serve one truth.
 *
 * <p>Layout under the prefix (default {@value #DEFAULT_PREFIX}): {@code policies/<name>} holds one
 * policy as JSON; {@code revision} is rewritten in the same transaction as every policy change, so
 * its mod revision is the revision of the last policy change (other keys in the same etcd, such as
 * the leader-election keys under {@code elections/}, do not move it). That is what {@link
 * #revision()} and {@link #list()} report, and what the distributor uses as the rule-set version:
 * every replica on the same etcd serves the same version for the same policies, and a restarted
 * replica serves the version it served before. A policy's {@code resourceVersion} is its key's mod
 * revision.
 *
 * <p>Writes are etcd transactions: create-if-absent ({@code version == 0}) and compare-and-swap on
 * the mod revision, so a stale {@code resourceVersion} is a {@link ConflictException} and no update
 * is lost. Watches follow the prefix from a revision, resume after disconnects from the last
 * delivered revision (no event missed or repeated) and report {@link ErrorCode#COMPACTED} when etcd
 * no longer keeps what they missed (the listener then lists again).
 *
 * <p>When etcd is unreachable, writes and {@link #revision()} throw {@link
 * StoreUnavailableException} (HTTP 503; readiness fails), while {@link #get} and {@link #list}
 * answer from the last state this store saw, so reads keep working; everything recovers by itself
 * when etcd is back. {@link #runWhileLeader} runs singleton duties (policy expiry) on exactly one
 * replica, elected with an etcd lease.
 *
 * <p>The control plane opens it through {@code StoreSelection} ({@code hfi control-plane --store
 * etcd}, the JUnit extension's {@code store = ETCD}) when this module, {@code
 * dev.hfi:hfi-store-etcd}, is on the classpath; it can also be built directly and given to {@code
 * ControlPlaneServer.Builder#withStore}. Thread-safe.
 *
 * <pre>{@code
 * try (EtcdPolicyStore store = EtcdPolicyStore.builder()
 *     .withEndpoints("http://127.0.0.1:2379")
 *     .withPrefix("/hfi/")
 *     .build()) {
 *   store.apply(policy);
 * }
 * }</pre>
 */
public final class EtcdPolicyStore implements SharedPolicyStore {
  /** The default key prefix. */
  public static final String DEFAULT_PREFIX = "/hfi/";

  private static final int MAX_CAS_ATTEMPTS = 50;

  private final Client client;
  private final KV kv;
  private final EtcdReconnect reconnect;
  private final EtcdCalls calls;
  private final String prefix;
  private final ByteSequence policyPrefix;
  private final ByteSequence revisionKey;
  private final Clock clock;
  private final Duration leaseTtl;
  private final ExecutorService delivery =
      Executors.newCachedThreadPool(DaemonThreads.named("hfi-etcd-watch"));
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("hfi-etcd"));
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  private final EtcdMirror mirror;
  private volatile boolean closed;

  private EtcdPolicyStore(Builder b, Client client) {
    this.client = client;
    this.kv = client.getKVClient();
    this.reconnect = new EtcdReconnect(client);
    this.calls = new EtcdCalls(String.join(",", b.endpoints), b.requestTimeout, reconnect);
    this.prefix = b.prefix;
    this.policyPrefix = bytes(b.prefix + "policies/");
    this.revisionKey = bytes(b.prefix + "revision");
    this.clock = b.clock;
    this.leaseTtl = b.leaseTtl;
    this.mirror = new EtcdMirror(this::listFromEtcd, this::watch, scheduler);
    mirror.start();
  }

  /** A builder; {@link Builder#withEndpoints} is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Optional<FaultInjectionPolicy> get(String name) {
    checkOpen();
    try {
      GetResponse r = calls.call("reading policy \"" + name + "\"", () -> kv.get(key(name)));
      return r.getKvs().isEmpty()
          ? Optional.empty()
          : Optional.of(EtcdPolicyCodec.decode(r.getKvs().get(0)));
    } catch (StoreUnavailableException e) {
      return mirror.get(name).orElseThrow(() -> e);
    }
  }

  @Override
  public PolicySnapshot list() {
    checkOpen();
    try {
      return listFromEtcd();
    } catch (StoreUnavailableException e) {
      return mirror.snapshot().orElseThrow(() -> e);
    }
  }

  /** Lists etcd itself, never the last known state (the mirror lists with it). */
  PolicySnapshot listFromEtcd() {
    TxnResponse t =
        calls.call(
            "listing policies",
            () ->
                kv.txn()
                    .Then(
                        Op.get(policyPrefix, GetOption.builder().isPrefix(true).build()),
                        Op.get(revisionKey, GetOption.DEFAULT))
                    .commit());
    List<FaultInjectionPolicy> items = new ArrayList<>();
    for (KeyValue k : t.getGetResponses().get(0).getKvs()) {
      items.add(EtcdPolicyCodec.decode(k));
    }
    items.sort((a, b) -> a.name().compareTo(b.name()));
    return new PolicySnapshot(policyRevision(t.getGetResponses().get(1)), List.copyOf(items));
  }

  @Override
  public ApplyResult apply(FaultInjectionPolicy policy) {
    checkOpen();
    // Before the name becomes a key: an invalid policy never reaches etcd.
    PolicyCodec.validate(policy);
    ByteSequence key = key(policy.name());
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      TxnResponse read =
          calls.call(
              "reading policy \"" + policy.name() + "\"",
              () ->
                  kv.txn()
                      .Then(Op.get(key, GetOption.DEFAULT), Op.get(revisionKey, GetOption.DEFAULT))
                      .commit());
      List<KeyValue> found = read.getGetResponses().get(0).getKvs();
      KeyValue current = found.isEmpty() ? null : found.get(0);
      FaultInjectionPolicy existing = current == null ? null : EtcdPolicyCodec.decode(current);
      PolicyWrites.Prepared prepared = PolicyWrites.prepare(existing, policy, 0, clock.instant());
      if (prepared.outcome() == ApplyResult.Outcome.UNCHANGED) {
        return new ApplyResult(
            prepared.outcome(), existing, policyRevision(read.getGetResponses().get(1)));
      }
      ByteSequence value = EtcdPolicyCodec.encode(prepared.policy());
      Cmp unchanged =
          current == null
              ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0))
              : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(current.getModRevision()));
      TxnResponse written =
          calls.callWrite(
              "writing policy \"" + policy.name() + "\"",
              () ->
                  kv.txn()
                      .If(unchanged)
                      .Then(
                          Op.put(key, value, PutOption.DEFAULT),
                          Op.put(revisionKey, bytes(policy.name()), PutOption.DEFAULT))
                      .commit());
      if (written.isSucceeded()) {
        long revision = written.getHeader().getRevision();
        FaultInjectionPolicy stored = EtcdPolicyCodec.decode(value, revision);
        mirror.apply(
            new Event(
                Event.Type.PUT,
                stored.name(),
                stored,
                revision,
                prepared.outcome() == ApplyResult.Outcome.CREATED));
        return new ApplyResult(prepared.outcome(), stored, revision);
      }
      // Another writer got in between the read and the transaction: read again. A request that
      // carries a resourceVersion now fails the check in prepare() with a ConflictException.
    }
    throw new ConflictException(
        "policy \""
            + policy.name()
            + "\" is being modified by too many writers at once; retry the request");
  }

  @Override
  public DeletedPolicy delete(String name, String expectedResourceVersion) {
    checkOpen();
    ByteSequence key = key(name);
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      GetResponse read = calls.call("reading policy \"" + name + "\"", () -> kv.get(key));
      if (read.getKvs().isEmpty()) {
        throw new PolicyNotFoundException("policy \"" + name + "\" not found");
      }
      KeyValue current = read.getKvs().get(0);
      FaultInjectionPolicy existing = EtcdPolicyCodec.decode(current);
      if (expectedResourceVersion != null) {
        PolicyWrites.checkVersion(existing, expectedResourceVersion);
      }
      TxnResponse written =
          calls.callWrite(
              "deleting policy \"" + name + "\"",
              () ->
                  kv.txn()
                      .If(
                          new Cmp(
                              key, Cmp.Op.EQUAL, CmpTarget.modRevision(current.getModRevision())))
                      .Then(
                          Op.delete(key, DeleteOption.DEFAULT),
                          Op.put(revisionKey, bytes(name), PutOption.DEFAULT))
                      .commit());
      if (written.isSucceeded()) {
        long revision = written.getHeader().getRevision();
        mirror.apply(new Event(Event.Type.DELETE, name, existing, revision, false));
        return new DeletedPolicy(existing, revision);
      }
    }
    throw new ConflictException(
        "policy \"" + name + "\" is being modified by too many writers at once; retry the request");
  }

  @Override
  public long revision() {
    checkOpen();
    return policyRevision(calls.call("reading the store revision", () -> kv.get(revisionKey)));
  }

  @Override
  public Watch watch(long fromRevision, Listener listener) {
    checkOpen();
    EtcdWatch w =
        new EtcdWatch(
            client.getWatchClient(),
            policyPrefix,
            Math.max(fromRevision, 1),
            listener,
            delivery,
            scheduler,
            this::policyRevisionAt,
            reconnect);
    open.add(w);
    w.start();
    return () -> {
      open.remove(w);
      w.close();
    };
  }

  /**
   * Runs a singleton duty on exactly one of the replicas that share this etcd and prefix. This
   * replica campaigns in the election {@code duty} with a lease of the configured TTL; while it
   * leads, the duty runs ({@code start} is called, and the returned handle is closed when
   * leadership ends). When the leader dies, its lease expires and another replica takes over within
   * the TTL. Closing the returned handle resigns.
   *
   * @param duty the election name, e.g. {@code expirer}
   * @param replica this replica's identity, stored as the leader's value (e.g. host:port)
   * @param start starts the duty and returns the handle that stops it
   */
  @Override
  public AutoCloseable runWhileLeader(
      String duty, String replica, Supplier<? extends AutoCloseable> start) {
    checkOpen();
    EtcdLeadership leadership =
        new EtcdLeadership(
            client, bytes(prefix + "elections/" + duty), bytes(replica), leaseTtl, start);
    open.add(leadership);
    leadership.start();
    return () -> {
      open.remove(leadership);
      leadership.close();
    };
  }

  @Override
  public Optional<String> leader(String duty) {
    checkOpen();
    return EtcdLeadership.leader(client, bytes(prefix + "elections/" + duty), calls);
  }

  @Override
  public void close() {
    closed = true;
    mirror.close();
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing is best effort: the client below is closed regardless.
      }
    }
    open.clear();
    delivery.shutdownNow();
    scheduler.shutdownNow();
    client.close();
  }

  private long policyRevisionAt(long etcdRevision) {
    return policyRevision(
        calls.call(
            "reading the store revision at " + etcdRevision,
            () -> kv.get(revisionKey, GetOption.builder().withRevision(etcdRevision).build())));
  }

  /** The mod revision of the revision key: the revision of the last policy change (1 if none). */
  private static long policyRevision(GetResponse r) {
    return r.getKvs().isEmpty() ? 1 : r.getKvs().get(0).getModRevision();
  }

  private ByteSequence key(String name) {
    return policyPrefix.concat(bytes(name));
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreUnavailableException("the etcd store is closed");
    }
  }

  /**
   * Configures an {@link EtcdPolicyStore}; {@link #build()} checks the settings and connects lazily
   * (etcd need not be up yet).
   */
  public static final class Builder {
    private final List<String> endpoints = new ArrayList<>();
    private String prefix = DEFAULT_PREFIX;
    private String user;
    private String password;
    private File caFile;
    private File certFile;
    private File keyFile;
    private Duration requestTimeout = Duration.ofSeconds(2);
    private Duration leaseTtl = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** etcd client URLs, e.g. {@code http://127.0.0.1:2379} or {@code https://etcd-0:2379}. */
    public Builder withEndpoints(String... endpoints) {
      this.endpoints.addAll(List.of(endpoints));
      return this;
    }

    /** etcd client URLs. */
    public Builder withEndpoints(URI... endpoints) {
      for (URI u : endpoints) {
        this.endpoints.add(u.toString());
      }
      return this;
    }

    /** Key prefix, ending with {@code /}; default {@value #DEFAULT_PREFIX}. */
    public Builder withPrefix(String prefix) {
      this.prefix = prefix;
      return this;
    }

    /** etcd user name and password (etcd's auth); both or neither. */
    public Builder withCredentials(String user, String password) {
      this.user = user;
      this.password = password;
      return this;
    }

    /**
     * TLS: the CA that signed etcd's certificate, and optionally a client certificate and key (PEM,
     * PKCS#8 key) for etcd's {@code --client-cert-auth}. Use {@code https://} endpoints.
     */
    public Builder withTls(File caFile, File certFile, File keyFile) {
      this.caFile = caFile;
      this.certFile = certFile;
      this.keyFile = keyFile;
      return this;
    }

    /** How long one etcd request may take before it counts as unavailable; default 2s. */
    public Builder withRequestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /** TTL of the leader-election lease: how fast another replica takes over; default 10s. */
    public Builder withLeaseTtl(Duration leaseTtl) {
      this.leaseTtl = leaseTtl;
      return this;
    }

    /** Clock for {@code creationTimestamp} and {@code status}; default the system clock. */
    public Builder withClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Checks the settings and builds the store.
     *
     * @throws HfiException {@link ErrorCode#INVALID_CONFIGURATION} naming every bad setting
     */
    public EtcdPolicyStore build() {
      List<String> problems = new ArrayList<>();
      if (endpoints.isEmpty()) {
        problems.add("etcd endpoints are required, e.g. --etcd-endpoints http://127.0.0.1:2379");
      }
      for (String e : endpoints) {
        if (!isEndpoint(e)) {
          problems.add(
              "etcd endpoint \""
                  + e
                  + "\" must be http://HOST:PORT or https://HOST:PORT, e.g. http://127.0.0.1:2379");
        }
      }
      if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/")) {
        problems.add("etcd prefix must start and end with '/', e.g. /hfi/, got \"" + prefix + "\"");
      }
      if ((user == null) != (password == null)) {
        problems.add(
            "etcd user and password go together: give both --etcd-user and --etcd-password");
      }
      if ((certFile == null) != (keyFile == null)) {
        problems.add(
            "etcd client certificate and key go together: give both --etcd-cert and --etcd-key");
      }
      for (File f : new File[] {caFile, certFile, keyFile}) {
        if (f != null && !f.canRead()) {
          problems.add("etcd TLS file " + f + " cannot be read");
        }
      }
      if (requestTimeout == null || requestTimeout.toMillis() < 1) {
        problems.add(
            "etcd request timeout must be positive, got " + Durations.format(requestTimeout));
      }
      if (leaseTtl == null || leaseTtl.toSeconds() < 2) {
        problems.add(
            "etcd lease TTL must be at least 2s (etcd counts in whole seconds), got "
                + Durations.format(leaseTtl));
      }
      if (!problems.isEmpty()) {
        throw new HfiException(ErrorCode.INVALID_CONFIGURATION, String.join("; ", problems));
      }
      ClientBuilder cb =
          Client.builder()
              .endpoints(endpoints.stream().map(String::trim).toArray(String[]::new))
              .connectTimeout(requestTimeout)
              .retryMaxDuration(requestTimeout)
              .retryDelay(100)
              .retryMaxDelay(500)
              .waitForReady(false)
              .keepaliveTime(Duration.ofSeconds(5))
              .keepaliveTimeout(Duration.ofSeconds(3));
      if (user != null) {
        cb.user(bytes(user)).password(bytes(password));
      }
      if (caFile != null || certFile != null) {
        try {
          cb.sslContext(
              ssl -> {
                if (caFile != null) {
                  ssl.trustManager(caFile);
                }
                if (certFile != null) {
                  ssl.keyManager(certFile, keyFile);
                }
              });
        } catch (SSLException e) {
          throw new HfiException(
              ErrorCode.INVALID_CONFIGURATION,
              "etcd TLS files are not usable: " + e.getMessage(),
              e);
        }
      }
      return new EtcdPolicyStore(this, cb.build());
    }

    private static boolean isEndpoint(String e) {
      try {
        URI u = URI.create(e.trim());
        return ("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
            && u.getHost() != null
            && u.getPort() >= 0;
      } catch (IllegalArgumentException notAUri) {
        return false;
      }
    }
  }
}
