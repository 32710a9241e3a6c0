package dev.nabla.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The kernels' shared thread pool, used to split work over independent output blocks so that
 * results are bit-identical whatever the number of threads.
 *
 * <p>The thread count comes from, in order: {@link #setThreads(int)}, the system property
 * {@code nabla.threads}, the environment variable {@code NABLA_THREADS}, else
 * {@link Runtime#availableProcessors()}. Pool threads are daemons, so the pool never keeps the
 * JVM alive.
 */
public final class Parallel {

  /** A loop body over the half-open index range {@code [start, end)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int start, int end);
  }

  /** Blocks per thread, so that a thread slowed by other processes does not hold up the rest. */
  private static final int BLOCKS_PER_THREAD = 4;

  private static volatile int threads = configuredThreads();
  private static ForkJoinPool pool;

  private Parallel() {}

  /** The number of threads {@link #forRange} uses, counting the calling thread. */
  public static int threads() {
    return threads;
  }

  /** Sets the number of threads (at least 1) used from now on; overrides property and environment. */
  public static synchronized void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("Parallel.setThreads: n = " + n + ", expected n >= 1");
    }
    if (n != threads) {
      threads = n;
      if (pool != null) {
        pool.shutdown();
        pool = null;
      }
    }
  }

  /**
   * Runs {@code body} over {@code [0, n)} split into fixed blocks of at least {@code minGrain}
   * indices, on the calling thread plus the pool.
   *
   * <p>Block boundaries depend only on {@code n}, {@code minGrain} and {@link #threads()}, never on
   * timing. A range of at most {@code minGrain} indices, a single thread, or a call from inside a
   * pool thread runs the whole range on the calling thread. Bodies must write disjoint outputs.
   */
  public static void forRange(int n, int minGrain, RangeBody body) {
    if (n < 0 || minGrain < 1) {
      throw new IllegalArgumentException(
          "Parallel.forRange: n = " + n + ", minGrain = " + minGrain
              + ", expected n >= 0 and minGrain >= 1");
    }
    if (n == 0) {
      return;
    }
    int t = threads;
    int blocks = (int) Math.min((n + (long) minGrain - 1) / minGrain, (long) t * BLOCKS_PER_THREAD);
    if (t == 1 || blocks <= 1 || Thread.currentThread() instanceof Worker) {
      body.run(0, n);
      return;
    }
    int blockSize = (n + blocks - 1) / blocks;
    int blockCount = (n + blockSize - 1) / blockSize;
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runnable worker = () -> runBlocks(n, blockSize, blockCount, next, failure, body);
    int helpers = Math.min(t, blockCount) - 1;
    ForkJoinPool p = pool();
    ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[helpers];
    for (int i = 0; i < helpers; i++) {
      tasks[i] = p.submit(worker);
    }
    worker.run();
    for (ForkJoinTask<?> task : tasks) {
      task.join();
    }
    Throwable error = failure.get();
    if (error instanceof RuntimeException e) {
      throw e;
    }
    if (error instanceof Error e) {
      throw e;
    }
  }

  private static void runBlocks(int n, int blockSize, int blockCount, AtomicInteger next,
      AtomicReference<Throwable> failure, RangeBody body) {
    for (int b = next.getAndIncrement(); b < blockCount; b = next.getAndIncrement()) {
      if (failure.get() != null) {
        return;
      }
      int start = b * blockSize;
      try {
        body.run(start, Math.min(n, start + blockSize));
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    }
  }

  private static synchronized ForkJoinPool pool() {
    if (pool == null) {
      pool = new ForkJoinPool(Math.max(1, threads - 1), Parallel::newWorker, null, false);
    }
    return pool;
  }

  private static ForkJoinWorkerThread newWorker(ForkJoinPool p) {
    Worker thread = new Worker(p);
    thread.setDaemon(true);
    thread.setName("nabla-" + thread.getPoolIndex());
    return thread;
  }

  /** A pool thread; a {@link #forRange} called on one runs serially, so pool threads never wait on each other. */
  private static final class Worker extends ForkJoinWorkerThread {
    Worker(ForkJoinPool p) {
      super(p);
    }
  }

  private static int configuredThreads() {
    String property = System.getProperty("nabla.threads");
    String value = property != null ? property : System.getenv("NABLA_THREADS");
    if (value != null && !value.isBlank()) {
      try {
        int n = Integer.parseInt(value.trim());
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException ignored) {
        // fall through to the processor count
      }
    }
    return Runtime.getRuntime().availableProcessors();
  }
}
