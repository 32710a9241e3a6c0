package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Checks that {@link Parallel#forRange} covers each index once, in fixed blocks, and reports failures. */
class ParallelTest {

  private int saved;

  @BeforeEach
  void save() {
    saved = Parallel.threads();
  }

  @AfterEach
  void restore() {
    Parallel.setThreads(saved);
  }

  @Test
  void coversEveryIndexExactlyOnce() {
    for (int threads : new int[] {1, 2, 3, 7}) {
      Parallel.setThreads(threads);
      for (int n : new int[] {0, 1, 2, 5, 63, 64, 65, 1000, 12345}) {
        for (int grain : new int[] {1, 3, 64, 5000}) {
          AtomicIntegerArray hits = new AtomicIntegerArray(n);
          Parallel.forRange(n, grain, (s, e) -> {
            for (int i = s; i < e; i++) {
              hits.incrementAndGet(i);
            }
          });
          for (int i = 0; i < n; i++) {
            assertEquals(1, hits.get(i), "index " + i + " of n=" + n + " grain=" + grain
                + " threads=" + threads);
          }
        }
      }
    }
  }

  @Test
  void blockBoundariesAreFixed() {
    Parallel.setThreads(3);
    Set<String> first = blocks(1000, 10);
    for (int run = 0; run < 20; run++) {
      assertEquals(first, blocks(1000, 10));
    }
    assertTrue(first.size() > 1, "work was split: " + first);
  }

  @Test
  void smallWorkStaysOnTheCallingThread() {
    Parallel.setThreads(4);
    Thread caller = Thread.currentThread();
    Set<Thread> seen = ConcurrentHashMap.newKeySet();
    Parallel.forRange(100, 100, (s, e) -> seen.add(Thread.currentThread()));
    assertEquals(Set.of(caller), seen);
  }

  @Test
  void bodyFailureReachesTheCaller() {
    Parallel.setThreads(2);
    IllegalStateException boom = new IllegalStateException("boom");
    IllegalStateException thrown = assertThrows(IllegalStateException.class,
        () -> Parallel.forRange(100, 1, (s, e) -> {
          if (s <= 50 && 50 < e) {
            throw boom;
          }
        }));
    assertSame(boom, thrown);
  }

  @Test
  void nestedCallsAndConcurrentCallersCoverEveryIndex() throws Exception {
    Parallel.setThreads(2);
    int n = 64;
    AtomicIntegerArray hits = new AtomicIntegerArray(n * n);
    Parallel.forRange(n, 1, (s, e) -> {
      for (int i = s; i < e; i++) {
        int row = i;
        Parallel.forRange(n, 1, (s2, e2) -> {
          for (int j = s2; j < e2; j++) {
            hits.incrementAndGet(row * n + j);
          }
        });
      }
    });
    for (int i = 0; i < n * n; i++) {
      assertEquals(1, hits.get(i), "nested index " + i);
    }
    AtomicIntegerArray shared = new AtomicIntegerArray(4 * 10_000);
    Thread[] callers = new Thread[4];
    for (int c = 0; c < callers.length; c++) {
      int base = c * 10_000;
      callers[c] = new Thread(() -> {
        for (int round = 0; round < 50; round++) {
          Parallel.forRange(10_000, 7, (s, e) -> {
            for (int i = s; i < e; i++) {
              shared.incrementAndGet(base + i);
            }
          });
        }
      });
      callers[c].start();
    }
    for (Thread caller : callers) {
      caller.join();
    }
    for (int i = 0; i < shared.length(); i++) {
      assertEquals(50, shared.get(i), "index " + i + " with four concurrent callers");
    }
  }

  @Test
  void aWorkerParkedAfterIdlingTakesTheNextJob() throws Exception {
    Parallel.setThreads(2);
    Set<Thread> seen = ConcurrentHashMap.newKeySet();
    Parallel.forRange(8, 1, (s, e) -> { });
    Thread.sleep(2 * Parallel.SPIN_NANOS / 1_000_000 + 20);
    for (int attempt = 0; attempt < 200 && seen.size() < 2; attempt++) {
      Thread.sleep(1);
      Parallel.forRange(8, 1, (s, e) -> {
        seen.add(Thread.currentThread());
        long until = System.nanoTime() + 200_000;
        while (System.nanoTime() < until) {
          Thread.onSpinWait();
        }
      });
    }
    assertEquals(2, seen.size(), "the caller and the woken worker both ran blocks: " + seen);
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    assertThrows(IllegalArgumentException.class, () -> Parallel.forRange(-1, 1, (s, e) -> {}));
    assertThrows(IllegalArgumentException.class, () -> Parallel.forRange(10, 0, (s, e) -> {}));
  }

  private static Set<String> blocks(int n, int grain) {
    Set<String> out = ConcurrentHashMap.newKeySet();
    Parallel.forRange(n, grain, (s, e) -> out.add(s + ".." + e));
    return out;
  }
}
