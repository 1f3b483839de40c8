package dev.hfi.filter.internal.context;

import dev.hfi.filter.FilterConfigException;
import dev.hfi.filter.PluginConfig;
import dev.hfi.filter.internal.core.Backoff;
import dev.hfi.filter.internal.core.Bytes;
import dev.hfi.filter.internal.core.InjectionCount;
import dev.hfi.filter.internal.core.JournalEntry;
import dev.hfi.filter.internal.core.PendingResumes;
import dev.hfi.filter.internal.core.PollProtocol;
import dev.hfi.filter.internal.core.RequestHeaders;
import dev.hfi.filter.internal.core.Rule;
import dev.hfi.filter.internal.core.RuleSet;
import dev.hfi.filter.internal.core.RuleSetDecoder;
import dev.hfi.filter.internal.core.Sampler;
import dev.hfi.filter.internal.dispatch.IntMap;
import dev.hfi.filter.internal.host.Heap;
import dev.hfi.filter.internal.host.Host;
import java.util.Arrays;

/**
 * The root context: plugin configuration, the long poll of the control plane, the rule set in
 * force, and the tick that resumes delayed requests and retries failed polls.
 *
 * <p>The tick period always follows the earliest thing waiting (a delayed request or the next poll
 * after a failure); with nothing waiting there is no tick. Single-threaded, like the VM.
 */
public final class FilterRoot {
  private static final int CAS_RETRIES = 8;

  /**
   * Largest poll answer (SSE event with the rule set) the filter reads; a larger one is rejected
   * unread (NACK). It bounds what decoding may need, so that TeaVM's heap, which grows with the
   * rule set up to {@code TeaVmBuild.MAX_HEAP_BYTES}, never runs out (see docs/FILTER.md, Memory).
   */
  public static final int MAX_RULE_SET_BYTES = 8 << 20;

  /**
   * Heap made room for before reading a rule set, per byte of it: the body as bytes, as a string
   * (twice, two bytes a character) and its event data, before the decoder's own strings.
   */
  private static final int DECODE_RESERVE_PER_BYTE = 8;

  /** Enough of a body to hold the event's {@code id:} line. */
  private static final int ID_PREFIX_BYTES = 64;

  /** How long a goodbye may hold the VM's shutdown. */
  private static final int GOODBYE_TIMEOUT_MS = 2000;

  /** The http call may take this much longer than the poll's own {@code wait}. */
  private static final int CALL_SLACK_MS = 5000;

  private final Sampler sampler;
  private Backoff backoff;
  private final String instance;
  private final PendingResumes pending = new PendingResumes();
  private final Host.Shared shared = new Host.Shared();

  /** Journal entries of requests not answered yet, by context id; null with the journal off. */
  private IntMap<JournalEntry> journal;

  private PluginConfig config;
  private RuleSet ruleSet = RuleSet.EMPTY;
  private long rejectedVersion;
  private String rejectedError = "";
  private boolean started;
  private boolean closing;
  private int pollToken;
  private int goodbyeToken;
  private long nextPollAtMs = Long.MAX_VALUE;
  private int tickPeriodMs;

  public FilterRoot(int id) {
    this.sampler = new Sampler(Host.randomSeed() ^ ((long) id << 48));
    // Unique per VM (Envoy: per worker): the clock plus host randomness.
    this.instance =
        Long.toHexString(Host.nowMillis()) + Long.toHexString(sampler.nextLong() >>> 16);
  }

  RuleSet ruleSet() {
    return ruleSet;
  }

  Sampler sampler() {
    return sampler;
  }

  /** The pending journal entries, or null when the plugin configuration leaves the journal off. */
  IntMap<JournalEntry> journal() {
    return journal;
  }

  String node() {
    return config.node();
  }

  /** Writes the journal entry of {@code contextId}, if it has one not yet written. */
  void writeJournal(int contextId, int status) {
    JournalEntry entry = journal == null ? null : journal.remove(contextId);
    if (entry != null) {
      Host.log(Host.LOG_INFO, entry.line(status, Host.nowMillis()));
    }
  }

  /** Reads the plugin configuration; false (plugin refused) if it is invalid. */
  public boolean onConfigure(int size) {
    Metrics.define();
    try {
      config = PluginConfig.decode(Host.pluginConfiguration(size));
    } catch (FilterConfigException e) {
      Metrics.configError();
      Host.log(Host.LOG_ERROR, "hfi: invalid plugin configuration: " + e.getMessage());
      return false;
    }
    backoff = new Backoff(sampler, config.maxBackoffMs());
    journal = config.journal() ? new IntMap<>() : null;
    Host.log(
        Host.LOG_INFO,
        "hfi: filter instance " + instance + " of node " + config.node() + " configured");
    if (!config.deferStart()) {
      start();
    }
    return true;
  }

  /** Called for every new HTTP context: starts polling if the configuration deferred it. */
  public void onStreamCreated() {
    if (!started && config != null) {
      start();
    }
  }

  private void start() {
    started = true;
    nextPollAtMs = Host.nowMillis();
    updateTick(nextPollAtMs);
  }

  public void onTick() {
    if (closing) {
      return;
    }
    long now = Host.nowMillis();
    if (nextPollAtMs <= now && pollToken == 0) {
      nextPollAtMs = Long.MAX_VALUE;
      poll();
    }
    // The tick is re-armed before resuming: resuming makes a request's context the effective one
    // for the rest of this callback, and the java host keeps it so (see docs/FILTER.md).
    updateTick(now, pending.earliestAfter(now));
    pending.drainDue(now, this::resume);
  }

  private void resume(int contextId, Rule rule) {
    try {
      Host.setEffectiveContext(contextId);
      if (rule.abort() != null) {
        abort(contextId, rule);
      } else {
        Host.continueRequest();
      }
    } catch (RuntimeException e) {
      FilterErrors.report("resuming a delayed request", e);
      Host.continueRequest();
    }
  }

  private void poll() {
    String path =
        PollProtocol.path(
            config.node(),
            instance,
            ruleSet.version(),
            rejectedVersion,
            rejectedError,
            config.pollTimeoutMs());
    byte[] headers = callHeaders("GET", path, "text/event-stream");
    int token = Host.httpCall(config.cluster(), headers, config.pollTimeoutMs() + CALL_SLACK_MS);
    if (token < 0) {
      failed("http call to cluster " + config.cluster() + " refused, status " + -token);
    } else {
      pollToken = token;
    }
  }

  /** The headers of a call to the control plane, with the token when there is one. */
  private byte[] callHeaders(String method, String path, String accept) {
    String[] pairs = {
      ":method",
      method,
      ":path",
      path,
      ":authority",
      config.authority(),
      ":scheme",
      "http",
      "accept",
      accept,
      "authorization",
      "Bearer " + config.token()
    };
    // Without a token the last pair is left out.
    return RequestHeaders.encode(
        config.token() == null ? Arrays.copyOf(pairs, pairs.length - 2) : pairs);
  }

  /**
   * The VM is going to stop (Envoy drains or exits, the embedded data plane closes): stops polling
   * and says goodbye, removing this instance from the control plane's data planes so that waits for
   * ACKs stop counting it at once rather than when it expires. Returns false while the goodbye is
   * under way: its answer, or its failure, calls {@code proxy_done}.
   */
  public boolean onDone() {
    closing = true;
    nextPollAtMs = Long.MAX_VALUE;
    if (!started || config == null) {
      return true;
    }
    int token =
        Host.httpCall(
            config.cluster(),
            callHeaders("DELETE", PollProtocol.goodbyePath(config.node(), instance), "*/*"),
            GOODBYE_TIMEOUT_MS);
    if (token < 0) {
      return true;
    }
    goodbyeToken = token;
    return false;
  }

  public void onHttpCallResponse(int token, int numHeaders, int bodySize) {
    if (token == goodbyeToken) {
      goodbyeToken = 0;
      Host.done();
      return;
    }
    if (token != pollToken) {
      return;
    }
    pollToken = 0;
    if (closing) {
      return;
    }
    int status = numHeaders == 0 ? 0 : Host.httpCallResponseStatus();
    if (status == 200) {
      String unusable = apply(bodySize);
      if (unusable != null) {
        // Nothing to ACK or NACK: polling again at once would fetch the same answer in a loop.
        failed("poll answered 200 without a usable rule-set event (" + unusable + ")");
        return;
      }
    } else if (status != 304) {
      failed(status == 0 ? "poll failed (no response)" : "poll answered " + status);
      return;
    }
    backoff.reset();
    poll();
  }

  /**
   * Applies the rule set of a 200 answer, or rejects it (the next poll NACKs its version). Returns
   * null when either happened, else why the answer carries no version to report.
   */
  private String apply(int bodySize) {
    if (bodySize > MAX_RULE_SET_BYTES) {
      String why =
          "rule set of "
              + bodySize
              + " bytes exceeds the filter's limit of "
              + MAX_RULE_SET_BYTES
              + " bytes";
      long version = PollProtocol.eventId(Host.httpCallResponseBodyPrefix(ID_PREFIX_BYTES));
      if (version == 0) {
        Metrics.configError();
        return why + ", and no event id in its first " + ID_PREFIX_BYTES + " bytes";
      }
      reject(version, why);
      return null;
    }
    Heap.reserve((long) DECODE_RESERVE_PER_BYTE * bodySize);
    long version = 0;
    try {
      PollProtocol.Event event = PollProtocol.parseEvent(Host.httpCallResponseBody(bodySize));
      version = event.id != 0 ? event.id : RuleSetDecoder.versionOf(event.data);
      RuleSet next = RuleSetDecoder.decode(event.data, config.node());
      ruleSet = next;
      rejectedVersion = 0;
      rejectedError = "";
      Metrics.version(next.version());
      Host.log(
          Host.LOG_INFO,
          "hfi: applied rule set " + next.version() + " (" + next.size() + " rules for this node)");
    } catch (FilterConfigException e) {
      if (version == 0) {
        Metrics.configError();
        return e.getMessage();
      }
      reject(version, e.getMessage());
    }
    return null;
  }

  private void reject(long version, String error) {
    rejectedVersion = version;
    rejectedError = error;
    Metrics.configError();
    Host.log(
        Host.LOG_WARN,
        "hfi: rejected rule set " + version + ", keeping " + ruleSet.version() + ": " + error);
  }

  private void failed(String why) {
    long wait = backoff.nextDelayMs();
    Host.log(Host.LOG_WARN, "hfi: " + why + "; next poll in " + wait + " ms");
    long now = Host.nowMillis();
    nextPollAtMs = now + wait;
    updateTick(now);
  }

  void delay(int contextId, Rule rule) {
    Metrics.delay();
    long now = Host.nowMillis();
    pending.add(contextId, now + rule.delayMs(), rule);
    updateTick(now);
  }

  void forget(int contextId) {
    if (pending.remove(contextId)) {
      updateTick(Host.nowMillis());
    }
  }

  /**
   * Answers the current stream, {@code contextId}, with the rule's abort; its journal entry is
   * written first, so that it exists before the client can see the answer.
   */
  void abort(int contextId, Rule rule) {
    Rule.Abort a = rule.abort();
    Metrics.abort();
    writeJournal(contextId, a.httpStatus());
    Host.sendLocalResponse(a.httpStatus(), a.body(), a.headerMap(), a.grpcStatus());
  }

  /**
   * Takes one injection from the policy's budget, counted in proxy shared data so that all VMs of
   * the proxy share it. Every claim is a compare-and-swap of an existing value, retried on
   * contention: a write to a missing key cannot be conditional (Envoy creates the key whatever the
   * CAS), so the key is created first, without a claim (see {@link #createCounter}).
   */
  boolean claimInjection(Rule rule) {
    if (rule.maxInjections() == Rule.UNLIMITED) {
      return true;
    }
    byte[] key = Bytes.utf8(InjectionCount.key(rule.policy()));
    for (int i = 0; i < CAS_RETRIES; i++) {
      int status = Host.getSharedData(key, shared);
      if (status == Host.NOT_FOUND) {
        createCounter(key);
        continue;
      }
      if (status != Host.OK) {
        return false;
      }
      long count = InjectionCount.count(shared.value, rule.generation());
      if (count >= rule.maxInjections()) {
        return false;
      }
      byte[] next = InjectionCount.encode(rule.generation(), count + 1);
      status = Host.setSharedData(key, next, shared.cas);
      if (status == Host.OK) {
        return true;
      }
      if (status != Host.CAS_MISMATCH) {
        return false;
      }
    }
    return false;
  }

  /**
   * Creates a policy's counter, holding no claim, unless another VM already has. Envoy creates a
   * missing key whatever the CAS and overwrites an existing one only if the CAS matches, so a write
   * with a CAS that no value holds creates without ever overwriting (HFI's embedded data plane
   * keeps the same semantics). proxy-wasm-java-host's default handler instead refuses a non-zero
   * CAS for a missing key; there the key is created unconditionally, which can lose a claim only if
   * another VM creates the key and claims in the moment between this VM's read and its write (see
   * docs/FILTER.md).
   */
  private void createCounter(byte[] key) {
    byte[] unclaimed = InjectionCount.unclaimed();
    int status = Host.setSharedData(key, unclaimed, InjectionCount.CREATE_CAS);
    if (status == Host.CAS_MISMATCH && Host.getSharedData(key, shared) == Host.NOT_FOUND) {
      Host.setSharedData(key, unclaimed, 0);
    }
  }

  private void updateTick(long now) {
    updateTick(now, pending.earliest());
  }

  private void updateTick(long now, long earliestResume) {
    long earliest = Math.min(earliestResume, pollToken == 0 ? nextPollAtMs : Long.MAX_VALUE);
    int period =
        earliest == Long.MAX_VALUE ? 0 : (int) Math.max(1, Math.min(earliest - now, 3_600_000));
    if (period != tickPeriodMs) {
      tickPeriodMs = period;
      Host.setTickPeriod(period);
    }
  }
}
