package dev.nabla.bench;

import dev.nabla.kernel.Gemm;
import dev.nabla.kernel.Parallel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of {@link Gemm#sgemm} on the square shapes and the MNIST MLP's shapes, in calls per
 * second; GFLOP/s = score · 2·m·n·k / 10⁹.
 *
 * <p>{@code shape} is {@code m x k x n}: C[m×n] = op(A)[m×k] · op(B)[k×n]. {@code layout} says
 * which operand is stored transposed: NN plain, TN A stored k×m (the weight gradient
 * {@code Xᵀ·dY}, as in 784x32x256), NT B stored n×k (the input gradient {@code dY·Wᵀ}).
 * {@code threads} sets {@link Parallel#setThreads(int)}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBenchmark {

  @Param({"512x512x512", "1024x1024x1024", "32x784x256", "32x256x128", "256x784x256",
      "784x32x256"})
  public String shape;

  @Param({"NN", "TN", "NT"})
  public String layout;

  @Param({"1"})
  public int threads;

  private int m;
  private int n;
  private int k;
  private boolean transA;
  private boolean transB;
  private float[] a;
  private float[] b;
  private float[] c;

  @Setup
  public void setUp() {
    String[] dims = shape.split("x");
    m = Integer.parseInt(dims[0]);
    k = Integer.parseInt(dims[1]);
    n = Integer.parseInt(dims[2]);
    transA = layout.charAt(0) == 'T';
    transB = layout.charAt(1) == 'T';
    Parallel.setThreads(threads);
    if (!Gemm.simdEnabled()) {
      throw new IllegalStateException("the Vector API path is off: run with --add-modules=jdk.incubator.vector");
    }
    Random random = new Random(1);
    a = randomArray(m * k, random);
    b = randomArray(k * n, random);
    c = new float[m * n];
  }

  @Benchmark
  public float[] sgemm() {
    Gemm.sgemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n,
        0f, c, 0, n);
    return c;
  }

  private static float[] randomArray(int length, Random random) {
    float[] x = new float[length];
    for (int i = 0; i < length; i++) {
      x[i] = random.nextFloat() - 0.5f;
    }
    return x;
  }
}
