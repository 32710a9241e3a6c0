package dev.nabla.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures this machine's float32 FMA peak in GFLOP/s, the ceiling GEMM figures are compared with.
 *
 * <p>Each thread runs twelve independent vector FMA chains held in registers, enough to cover
 * the FMA latency on two ports; one FMA lane counts as 2 flops. Run with
 * {@code java --add-modules=jdk.incubator.vector -cp benchmarks.jar dev.nabla.bench.FmaPeak [maxThreads]}.
 */
public final class FmaPeak {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int CHAINS = 12;
  private static final long ITERATIONS = 200_000_000L;

  private FmaPeak() {}

  public static void main(String[] args) throws InterruptedException {
    int maxThreads = args.length > 0 ? Integer.parseInt(args[0])
        : Runtime.getRuntime().availableProcessors();
    System.out.printf("vector: %d floats (%s)%n", S.length(), S);
    for (int threads = 1; threads <= maxThreads; threads *= 2) {
      double best = peak(threads);
      System.out.printf("threads %d: %.1f GFLOP/s (%.1f per thread)%n", threads, best,
          best / threads);
    }
  }

  /** The vector width in floats that the probe uses. */
  public static int lanes() {
    return S.length();
  }

  /** The best of three measurements on {@code threads} threads, in GFLOP/s, after a warm-up. */
  public static double peak(int threads) throws InterruptedException {
    warmUp();
    double best = 0;
    for (int round = 0; round < 3; round++) {
      best = Math.max(best, measure(threads));
    }
    return best;
  }

  private static void warmUp() {
    for (int i = 0; i < 5; i++) {
      chains(2_000_000L);
    }
  }

  /**
   * One short measurement on {@code threads} threads of about {@code seconds} (at 175 GFLOP/s per
   * thread), no warm-up: for pairing with another short measurement taken right after it.
   */
  public static double sample(int threads, double seconds) throws InterruptedException {
    long iterations = Math.max(1000, (long) (seconds * 175e9 / (2.0 * S.length() * CHAINS)));
    return measure(threads, iterations);
  }

  private static double measure(int threads) throws InterruptedException {
    return measure(threads, ITERATIONS / 4);
  }

  private static double measure(int threads, long iterations) throws InterruptedException {
    Thread[] workers = new Thread[threads];
    float[] sink = new float[threads];
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int id = t;
      workers[t] = new Thread(() -> sink[id] = chains(iterations));
      workers[t].start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (Float.isNaN(sink[0])) {
      System.out.println("unexpected NaN");
    }
    return 2.0 * S.length() * CHAINS * iterations * threads / seconds / 1e9;
  }

  /** Runs the FMA chains for {@code iterations} steps; returns a value so the work is not dead code. */
  private static float chains(long iterations) {
    FloatVector x = FloatVector.broadcast(S, 0.999999f);
    FloatVector y = FloatVector.broadcast(S, 1e-6f);
    FloatVector a0 = FloatVector.broadcast(S, 0.1f), a1 = FloatVector.broadcast(S, 0.2f);
    FloatVector a2 = FloatVector.broadcast(S, 0.3f), a3 = FloatVector.broadcast(S, 0.4f);
    FloatVector a4 = FloatVector.broadcast(S, 0.5f), a5 = FloatVector.broadcast(S, 0.6f);
    FloatVector a6 = FloatVector.broadcast(S, 0.7f), a7 = FloatVector.broadcast(S, 0.8f);
    FloatVector a8 = FloatVector.broadcast(S, 0.9f), a9 = FloatVector.broadcast(S, 1.0f);
    FloatVector a10 = FloatVector.broadcast(S, 1.1f), a11 = FloatVector.broadcast(S, 1.2f);
    for (long i = 0; i < iterations; i++) {
      a0 = a0.fma(x, y);
      a1 = a1.fma(x, y);
      a2 = a2.fma(x, y);
      a3 = a3.fma(x, y);
      a4 = a4.fma(x, y);
      a5 = a5.fma(x, y);
      a6 = a6.fma(x, y);
      a7 = a7.fma(x, y);
      a8 = a8.fma(x, y);
      a9 = a9.fma(x, y);
      a10 = a10.fma(x, y);
      a11 = a11.fma(x, y);
    }
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9)
        .add(a10).add(a11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }
}
