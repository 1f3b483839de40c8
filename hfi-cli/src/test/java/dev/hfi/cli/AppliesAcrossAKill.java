package dev.hfi.cli;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.HfiClient;
import dev.hfi.client.HfiException;
import dev.hfi.client.TestPolicies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A writer applying policies p0..p999 one by one while the control plane is killed and restarted:
 * it records the resource version of every acknowledged apply, and on a failed one waits for {@link
 * #restarted()} before going on. Run it on an executor; {@link #reached} counts down once per
 * acknowledged apply, for the test to kill the control plane partway.
 */
final class AppliesAcrossAKill implements Callable<Void> {
  static final int COUNT = 1000;

  private final HfiClient client;
  private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
  private final List<String> failed = new ArrayList<>();
  private final CountDownLatch reached;
  private final CountDownLatch restarted = new CountDownLatch(1);

  AppliesAcrossAKill(HfiClient client, int killAfter) {
    this.client = client;
    this.reached = new CountDownLatch(killAfter);
  }

  @Override
  public Void call() throws InterruptedException {
    for (int i = 0; i < COUNT; i++) {
      String name = "p" + i;
      try {
        ApplyResult r = client.apply(TestPolicies.abort(name, 503));
        acknowledged.put(name, r.policy().metadata().resourceVersion());
        reached.countDown();
      } catch (HfiException e) {
        synchronized (failed) {
          failed.add(name);
        }
        restarted.await();
      }
    }
    return null;
  }

  /** Counts down once per acknowledged apply, from the {@code killAfter} given. */
  CountDownLatch reached() {
    return reached;
  }

  /** Call once the control plane is back: a writer waiting after a failure goes on. */
  void restarted() {
    restarted.countDown();
  }

  /** Name to resource version of every apply the control plane acknowledged. */
  Map<String, String> acknowledged() {
    return acknowledged;
  }

  /** The names whose apply failed. */
  List<String> failed() {
    synchronized (failed) {
      return List.copyOf(failed);
    }
  }
}
