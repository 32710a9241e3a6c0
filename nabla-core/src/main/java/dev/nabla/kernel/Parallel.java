package dev.nabla.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The kernels' shared thread pool, used to split work over independent output blocks so that
 * results are bit-identical whatever the number of threads.
 *
 * <p>The thread count comes from, in order: {@link #setThreads(int)}, the system property
 * {@code nabla.threads}, the environment variable {@code NABLA_THREADS}, else
 * {@link Runtime#availableProcessors()}. Pool threads are daemons, so the pool never keeps the
 * JVM alive.
 *
 * <p>The pool is a few threads of its own rather than a {@code ForkJoinPool}: waking a parked
 * thread took about 50 µs on this project's 2-vCPU machine (a training step's GEMMs take
 * 0.1–1 ms each), against 5 µs for a hand-off to a thread that is still awake. So a worker that
 * finishes a job keeps polling for the next one for {@link #SPIN_NANOS} before it parks: the
 * gaps between one step's parallel operations are shorter than that, and a worker costs a core
 * only while a program keeps handing it work. One caller at a time uses the pool; a second
 * thread calling {@link #forRange} meanwhile runs its range itself.
 */
public final class Parallel {

  /** A loop body over the half-open index range {@code [start, end)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int start, int end);
  }

  /** Blocks per thread, so that a thread slowed by other processes does not hold up the rest. */
  private static final int BLOCKS_PER_THREAD = 4;

  /** How long an idle worker polls for the next job before it parks. */
  static final long SPIN_NANOS = 200_000;

  private static volatile int threads = configuredThreads();
  private static Pool pool;

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
   * If a body throws, the remaining blocks are skipped and the first exception reaches the caller.
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
    Job job = new Job(n, blockSize, (n + blockSize - 1) / blockSize, body);
    Pool p = pool();
    if (p.lock.isHeldByCurrentThread() || !p.lock.tryLock()) {
      // a nested call, or another thread is using the pool: the same blocks, run here
      job.work();
      job.rethrow();
      return;
    }
    try {
      p.run(job);
    } finally {
      p.lock.unlock();
    }
    job.rethrow();
  }

  private static synchronized Pool pool() {
    if (pool == null) {
      pool = new Pool(threads - 1);
    }
    return pool;
  }

  /** One {@link #forRange} call: its blocks, claimed one at a time by whichever thread is free. */
  private static final class Job {
    final int n;
    final int blockSize;
    final int blockCount;
    final RangeBody body;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    volatile Throwable failure;

    Job(int n, int blockSize, int blockCount, RangeBody body) {
      this.n = n;
      this.blockSize = blockSize;
      this.blockCount = blockCount;
      this.body = body;
    }

    /** Runs unclaimed blocks until none is left; after a failure, claims the rest without running them. */
    void work() {
      for (int b = next.getAndIncrement(); b < blockCount; b = next.getAndIncrement()) {
        if (failure == null) {
          int start = b * blockSize;
          try {
            body.run(start, Math.min(n, start + blockSize));
          } catch (Throwable e) {
            synchronized (this) {
              if (failure == null) {
                failure = e;
              }
            }
          }
        }
        done.incrementAndGet();
      }
    }

    boolean finished() {
      return done.get() >= blockCount;
    }

    void rethrow() {
      Throwable error = failure;
      if (error instanceof RuntimeException e) {
        throw e;
      }
      if (error instanceof Error e) {
        throw e;
      }
      if (error != null) {
        throw new IllegalStateException(error);
      }
    }
  }

  /** The worker threads and the job they are offered. */
  private static final class Pool {
    final ReentrantLock lock = new ReentrantLock();
    final Worker[] workers;
    volatile Job current;
    volatile boolean shutdown;

    Pool(int size) {
      workers = new Worker[size];
      for (int i = 0; i < size; i++) {
        workers[i] = new Worker(this, i);
        workers[i].start();
      }
    }

    /** Offers {@code job} to the workers, works on it too, and returns when every block is done. */
    void run(Job job) {
      current = job;
      for (Worker w : workers) {
        if (w.parked) {
          LockSupport.unpark(w);
        }
      }
      job.work();
      for (int spins = 0; !job.finished(); spins++) {
        if (spins < 10_000) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
      }
      current = null;
    }

    void shutdown() {
      shutdown = true;
      for (Worker w : workers) {
        LockSupport.unpark(w);
      }
    }
  }

  /** A pool thread; a {@link #forRange} called on one runs serially, so pool threads never wait on each other. */
  private static final class Worker extends Thread {
    private final Pool pool;
    volatile boolean parked;

    Worker(Pool pool, int index) {
      super("nabla-" + index);
      this.pool = pool;
      setDaemon(true);
    }

    @Override
    public void run() {
      Job seen = null;
      long idleSince = System.nanoTime();
      while (!pool.shutdown) {
        Job job = pool.current;
        if (job != null && job != seen) {
          seen = job;
          job.work();
          idleSince = System.nanoTime();
        } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          // The volatile write of parked before the read of current, and the caller's write of
          // current before its read of parked, mean one of the two sees the other: no lost wake-up.
          parked = true;
          Job now = pool.current;
          if ((now == null || now == seen) && !pool.shutdown) {
            LockSupport.park(this);
          }
          parked = false;
          idleSince = System.nanoTime();
        }
      }
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
