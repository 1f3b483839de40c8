package dev.hfi.controlplane.internal.http;

import dev.hfi.client.Durations;
import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import dev.hfi.client.RuleSet;
import dev.hfi.controlplane.internal.Distributor;
import dev.hfi.controlplane.internal.EventHub;
import dev.hfi.controlplane.internal.NodeRegistry;
import dev.hfi.controlplane.internal.SseStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import javax.servlet.AsyncContext;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The stream endpoints. Both are asynchronous: no thread waits for a held long poll or an open SSE
 * stream.
 */
public final class StreamHandlers {
  private static final String EVENT_STREAM = "text/event-stream;charset=utf-8";
  private static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
  private static final Duration MAX_WAIT = Duration.ofMinutes(5);
  private static final int MAX_QUEUED_EVENTS = 10_000;

  private final Distributor distributor;
  private final EventHub events;
  private final NodeRegistry nodes;

  /** Handlers over the distributor, the event hub and the node registry. */
  public StreamHandlers(Distributor distributor, EventHub events, NodeRegistry nodes) {
    this.distributor = distributor;
    this.events = events;
    this.nodes = nodes;
  }

  /** {@code GET /v1/config/stream}: SSE, or the long-poll form when it has poll parameters. */
  public void config(HttpServletRequest req, HttpServletResponse res) throws IOException {
    boolean longPoll =
        req.getParameter("node") != null
            || req.getParameter("instance") != null
            || req.getParameter("version") != null
            || req.getParameter("wait") != null;
    if (longPoll) {
      longPoll(req, res);
    } else {
      ruleSetStream(req, res);
    }
  }

  private void ruleSetStream(HttpServletRequest req, HttpServletResponse res) throws IOException {
    String last = req.getHeader("Last-Event-ID");
    if (last == null) {
      last = req.getParameter("lastEventId");
    }
    Long lastEventId = null;
    if (last != null && last.trim().matches("[0-9]{1,18}")) {
      lastEventId = Long.parseLong(last.trim());
    }
    AtomicReference<SseStream> self = new AtomicReference<>();
    SseStream stream = open(req, res, true, () -> distributor.unsubscribe(self.get()));
    self.set(stream);
    distributor.subscribe(stream, lastEventId);
  }

  /** {@code GET /v1/events}: policy changes, rule sets, ACKs, NACKs and stale instances. */
  public void events(HttpServletRequest req, HttpServletResponse res) throws IOException {
    AtomicReference<SseStream> self = new AtomicReference<>();
    SseStream stream = open(req, res, false, () -> events.remove(self.get()));
    self.set(stream);
    // Added before the first byte, so a client that saw the headers misses no later event.
    events.add(stream);
    stream.send(SseStream.comment("connected"));
  }

  private SseStream open(
      HttpServletRequest req, HttpServletResponse res, boolean conflate, Runnable onClose)
      throws IOException {
    res.setStatus(200);
    res.setContentType(EVENT_STREAM);
    res.setHeader("Cache-Control", "no-cache");
    res.setHeader("X-Accel-Buffering", "no");
    AsyncContext ctx = req.startAsync();
    ctx.setTimeout(0);
    return new SseStream(ctx, conflate, MAX_QUEUED_EVENTS, onClose);
  }

  private void longPoll(HttpServletRequest req, HttpServletResponse res) throws IOException {
    String node = required(req, "node");
    String instance = required(req, "instance");
    long version = number(req, "version", 0L);
    Long rejected = number(req, "rejected", null);
    String error = req.getParameter("error");
    if (error != null && error.length() > 1024) {
      error = error.substring(0, 1024);
    }
    Duration wait = DEFAULT_WAIT;
    String waitText = req.getParameter("wait");
    if (waitText != null) {
      String problem = Durations.check("query parameter wait", waitText);
      if (problem != null) {
        throw new HfiException(ErrorCode.INVALID, problem);
      }
      wait = Durations.parse(waitText);
      if (wait.compareTo(MAX_WAIT) > 0) {
        throw new HfiException(
            ErrorCode.INVALID,
            "query parameter wait: at most "
                + Durations.format(MAX_WAIT)
                + ", got \""
                + waitText
                + "\"");
      }
    }
    Object poll = nodes.pollStarted(node, instance, version, rejected, error);
    AsyncContext ctx = req.startAsync();
    // The distributor times the wait: Jetty 9.4 can lose a short AsyncContext timeout.
    ctx.setTimeout(0);
    Distributor.Waiter waiter =
        new Distributor.Waiter(
            version, rejected, wait, rs -> answer(ctx, res, rs), () -> notModified(ctx, res));
    ctx.addListener(
        new AsyncListener() {
          @Override
          public void onTimeout(AsyncEvent event) {
            // Timeout 0: the container never times this request out; the waiter's deadline does.
          }

          @Override
          public void onComplete(AsyncEvent event) {
            distributor.cancel(waiter);
            nodes.pollEnded(poll);
          }

          @Override
          public void onError(AsyncEvent event) {
            if (waiter.claim()) {
              distributor.cancel(waiter);
              ctx.complete();
            }
          }

          @Override
          public void onStartAsync(AsyncEvent event) {}
        });
    RuleSet now = distributor.pollOrWait(waiter);
    if (now != null && waiter.claim()) {
      answer(ctx, res, now);
    }
  }

  private static void notModified(AsyncContext ctx, HttpServletResponse res) {
    res.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
    try {
      ctx.complete();
    } catch (IllegalStateException alreadyCompleted) {
      // The container ended the request first (client gone, server stopping): nothing to end.
    }
  }

  private static void answer(AsyncContext ctx, HttpServletResponse res, RuleSet rs) {
    res.setStatus(200);
    res.setContentType(EVENT_STREAM);
    res.setHeader("Cache-Control", "no-cache");
    try {
      new SseStream(ctx, false, 1, () -> {}).sendAndComplete(Distributor.eventBytes(rs));
    } catch (IOException | IllegalStateException e) {
      ctx.complete();
    }
  }

  private static String required(HttpServletRequest req, String name) {
    String v = req.getParameter(name);
    if (v == null || v.isBlank()) {
      throw new HfiException(
          ErrorCode.INVALID,
          "query parameter "
              + name
              + ": required for the long-poll form (node, instance, version, wait)");
    }
    if (v.length() > 253) {
      throw new HfiException(
          ErrorCode.INVALID, "query parameter " + name + ": at most 253 characters");
    }
    return v;
  }

  private static Long number(HttpServletRequest req, String name, Long fallback) {
    String v = req.getParameter(name);
    if (v == null) {
      return fallback;
    }
    if (!v.matches("[0-9]{1,18}")) {
      throw new HfiException(
          ErrorCode.INVALID,
          "query parameter "
              + name
              + ": expected a rule-set version (a non-negative integer), got \""
              + v
              + "\"");
    }
    return Long.parseLong(v);
  }
}
