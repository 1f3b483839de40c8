package dev.hfi.junit;

import dev.hfi.testkit.JournaledRequest;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Requests that reached the upstreams through HFI's proxies during the current test, as the filter
 * journaled them (docs/JUNIT.md, "Request journal"), oldest first; narrowed by chaining filters,
 * each returning a new immutable view. Plain Java types, so any assertion library takes them:
 * {@code assertThat(hfi.requests().to("orders"))} with AssertJ is an iterable assertion.
 *
 * <pre>{@code
 * assertThat(hfi.requests().to("orders").faulted().count()).isEqualTo(2);
 * assertThat(hfi.requests().to("orders").withPath("/api/orders").list())
 *     .extracting(JournaledRequest::status)
 *     .containsExactly(503, 503, 200);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class RecordedRequests implements Iterable<JournaledRequest> {
  private final List<JournaledRequest> requests;

  RecordedRequests(List<JournaledRequest> requests) {
    this.requests = List.copyOf(requests);
  }

  /** Requests to {@code upstream} (its name in the test class). */
  public RecordedRequests to(String upstream) {
    return filter(r -> r.upstream().equals(upstream));
  }

  /** Requests HFI injected a fault into (an abort, a delay or both). */
  public RecordedRequests faulted() {
    return filter(JournaledRequest::faulted);
  }

  /** Requests HFI let through untouched. */
  public RecordedRequests notFaulted() {
    return filter(r -> !r.faulted());
  }

  /** Requests faulted by the policy named {@code policy}. */
  public RecordedRequests byPolicy(String policy) {
    return filter(r -> policy.equals(r.policy()));
  }

  /** Requests with this method, e.g. {@code "POST"} (case-insensitive). */
  public RecordedRequests withMethod(String method) {
    return filter(r -> r.method().equalsIgnoreCase(method));
  }

  /** Requests whose path, without its query string, is {@code path}. */
  public RecordedRequests withPath(String path) {
    return filter(r -> r.pathWithoutQuery().equals(path));
  }

  /** Requests whose path starts with {@code prefix}. */
  public RecordedRequests withPathPrefix(String prefix) {
    return filter(r -> r.path().startsWith(prefix));
  }

  /** Requests answered with {@code status} (0: not answered). */
  public RecordedRequests withStatus(int status) {
    return filter(r -> r.status() == status);
  }

  /** Requests that satisfy {@code condition}. */
  public RecordedRequests filter(Predicate<? super JournaledRequest> condition) {
    return new RecordedRequests(requests.stream().filter(condition).toList());
  }

  public long count() {
    return requests.size();
  }

  public boolean isEmpty() {
    return requests.isEmpty();
  }

  /** The requests, oldest first. */
  public List<JournaledRequest> list() {
    return requests;
  }

  public Stream<JournaledRequest> stream() {
    return requests.stream();
  }

  @Override
  public Iterator<JournaledRequest> iterator() {
    return requests.iterator();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(requests.size() + " request(s)");
    for (JournaledRequest r : requests) {
      sb.append("\n  ")
          .append(r.upstream())
          .append(' ')
          .append(r.method())
          .append(' ')
          .append(r.path())
          .append(" -> ")
          .append(r.status());
      if (r.faulted()) {
        sb.append(" (").append(r.policy()).append(')');
      }
    }
    return sb.toString();
  }
}
