package dev.hfi.filter.internal.core;

/**
 * Delayed requests waiting to be resumed: context id, due time and the rule that delayed them.
 * Small and unsorted on purpose: the few requests delayed at once by one VM are scanned linearly.
 * Not thread-safe.
 */
public final class PendingResumes {
  private int[] ids = new int[16];
  private long[] due = new long[16];
  private Rule[] rules = new Rule[16];
  private int size;

  public void add(int contextId, long dueMs, Rule rule) {
    if (size == ids.length) {
      ids = java.util.Arrays.copyOf(ids, size * 2);
      due = java.util.Arrays.copyOf(due, size * 2);
      rules = java.util.Arrays.copyOf(rules, size * 2);
    }
    ids[size] = contextId;
    due[size] = dueMs;
    rules[size] = rule;
    size++;
  }

  /** Forgets a context (its stream ended before its delay did); true if it was waiting. */
  public boolean remove(int contextId) {
    for (int i = 0; i < size; i++) {
      if (ids[i] == contextId) {
        removeAt(i);
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** The earliest due time, or {@code Long.MAX_VALUE} when nothing waits. */
  public long earliest() {
    long min = Long.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      min = Math.min(min, due[i]);
    }
    return min;
  }

  /** The earliest due time after {@code nowMs}, or {@code Long.MAX_VALUE}. */
  public long earliestAfter(long nowMs) {
    long min = Long.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      if (due[i] > nowMs) {
        min = Math.min(min, due[i]);
      }
    }
    return min;
  }

  /** Receives the requests whose delay is over. */
  public interface Consumer {
    void resume(int contextId, Rule rule);
  }

  /** Removes every request due at {@code nowMs} and hands it to {@code consumer}. */
  public void drainDue(long nowMs, Consumer consumer) {
    int i = 0;
    while (i < size) {
      if (due[i] <= nowMs) {
        int id = ids[i];
        Rule rule = rules[i];
        removeAt(i);
        consumer.resume(id, rule);
      } else {
        i++;
      }
    }
  }

  private void removeAt(int i) {
    size--;
    ids[i] = ids[size];
    due[i] = due[size];
    rules[i] = rules[size];
    rules[size] = null;
  }
}
