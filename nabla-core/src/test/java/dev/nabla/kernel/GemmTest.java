package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Holds every GEMM path to a double-precision triple loop, with offsets, padding and all layouts. */
class GemmTest {

  /** A way of computing GEMM; all of them must agree with {@link #reference}. */
  enum Path {
    SIMD, PLAIN, DOUBLE;

    void run(Problem p, float[] a, float[] b, float[] c) {
      run(p, a, b, c, null);
    }

    void run(Problem p, float[] a, float[] b, float[] c, Epilogue epilogue) {
      switch (this) {
        case SIMD -> Gemm.sgemmSimd(p.transA, p.transB, p.m, p.n, p.k, p.alpha, a, p.aOff, p.lda,
            b, p.bOff, p.ldb, p.beta, c, p.cOff, p.ldc, epilogue);
        case PLAIN -> Gemm.sgemmPlain(p.transA, p.transB, p.m, p.n, p.k, p.alpha, a, p.aOff,
            p.lda, b, p.bOff, p.ldb, p.beta, c, p.cOff, p.ldc, epilogue);
        case DOUBLE -> {
          double[] cd = toDouble(c);
          Gemm.dgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, toDouble(a), p.aOff, p.lda,
              toDouble(b), p.bOff, p.ldb, p.beta, cd, p.cOff, p.ldc);
          for (int i = 0; i < c.length; i++) {
            c[i] = (float) cd[i];
          }
        }
        default -> throw new AssertionError(this);
      }
      if (epilogue != null && this == DOUBLE) {
        throw new AssertionError("no epilogue on the double path");
      }
    }
  }

  /** One GEMM call's arguments; A, B and C are stored with offsets and padded rows. */
  record Problem(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
      int aOff, int lda, int bOff, int ldb, int cOff, int ldc) {

    static Problem of(boolean transA, boolean transB, int m, int n, int k, float alpha,
        float beta, int pad) {
      int aCols = transA ? m : k;
      int bCols = transB ? k : n;
      return new Problem(transA, transB, m, n, k, alpha, beta,
          pad, aCols + pad, 2 * pad, bCols + pad, 3 * pad, n + pad);
    }

    int aRows() {
      return transA ? k : m;
    }

    int bRows() {
      return transB ? n : k;
    }

    int aLength() {
      return aOff + aRows() * lda;
    }

    int bLength() {
      return bOff + bRows() * ldb;
    }

    int cLength() {
      return cOff + m * ldc;
    }

    @Override
    public String toString() {
      return (transA ? "T" : "N") + (transB ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k
          + " alpha=" + alpha + " beta=" + beta + " ldc=" + ldc;
    }
  }

  private static final int[] SIZES = {1, 3, 17, 33, 100};

  static Stream<Arguments> smallProblems() {
    List<Arguments> cases = new ArrayList<>();
    for (Path path : Path.values()) {
      for (int layout = 0; layout < 4; layout++) {
        for (int m : SIZES) {
          for (int n : SIZES) {
            for (int k : SIZES) {
              float alpha = (m + n + k) % 3 == 0 ? 1f : -0.75f;
              float beta = (m * n + k) % 3 == 0 ? 0f : (m + k) % 2 == 0 ? 1f : 0.5f;
              cases.add(Arguments.of(path, Problem.of(layout >= 2, layout % 2 == 1, m, n, k,
                  alpha, beta, (m + n) % 2 == 0 ? 0 : 5)));
            }
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("smallProblems")
  void matchesReferenceOnOddSizes(Path path, Problem p) {
    check(path, p, 42);
  }

  /** Sizes that cross the SIMD path's cache blocks (k blocks, row blocks, column blocks) and its edge tiles. */
  static Stream<Arguments> blockBoundaryProblems() {
    List<Arguments> cases = new ArrayList<>();
    for (int layout = 0; layout < 4; layout++) {
      boolean transA = layout >= 2;
      boolean transB = layout % 2 == 1;
      cases.add(Arguments.of(Path.SIMD, Problem.of(transA, transB, 137, 1043, 300, 1.5f, 0.25f, 3)));
      cases.add(Arguments.of(Path.SIMD, Problem.of(transA, transB, 264, 64, 513, 1f, 0f, 0)));
      cases.add(Arguments.of(Path.SIMD, Problem.of(transA, transB, 45, 61, 2100, -1f, 2f, 1)));
      cases.add(Arguments.of(Path.PLAIN, Problem.of(transA, transB, 137, 101, 300, 1.5f, 0.25f, 3)));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("blockBoundaryProblems")
  void matchesReferenceAcrossBlocks(Path path, Problem p) {
    check(path, p, 7);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void betaZeroOverwritesNaN(Path path) {
    for (int layout = 0; layout < 4; layout++) {
      Problem p = Problem.of(layout >= 2, layout % 2 == 1, 19, 35, 21, 2f, 0f, 2);
      float[] a = random(p.aLength(), 1);
      float[] b = random(p.bLength(), 2);
      float[] c = new float[p.cLength()];
      java.util.Arrays.fill(c, Float.NaN);
      path.run(p, a, b, c);
      double[] expected = reference(p, a, b, new float[c.length]);
      for (int i = 0; i < p.m; i++) {
        for (int j = 0; j < p.n; j++) {
          int at = p.cOff + i * p.ldc + j;
          assertEquals(expected[at], c[at], 1e-4, p + " at " + i + "," + j);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void zeroKOrAlphaOnlyScalesC(Path path) {
    Problem zeroK = Problem.of(false, false, 5, 7, 0, 1f, 0.5f, 1);
    float[] c = random(zeroK.cLength(), 3);
    float[] before = c.clone();
    path.run(zeroK, new float[zeroK.aLength()], new float[zeroK.bLength()], c);
    for (int i = 0; i < zeroK.m; i++) {
      for (int j = 0; j < zeroK.n; j++) {
        int at = zeroK.cOff + i * zeroK.ldc + j;
        assertEquals(0.5f * before[at], c[at], 1e-7f);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = Path.class, names = {"SIMD", "PLAIN"})
  void threadCountDoesNotChangeBits(Path path) {
    int saved = Parallel.threads();
    try {
      for (int test = 0; test < 8; test++) {
        int layout = test % 4;
        Problem p = test < 4
            ? Problem.of(layout >= 2, layout % 2 == 1, 203, 301, 157, 0.5f, 1.5f, 1)
            : Problem.of(layout >= 2, layout % 2 == 1, 33, 301, 450, 0.5f, 1.5f, 1);
        assertTrue((long) p.m * p.n * p.k >= Gemm.PARALLEL_MIN_FMAS, "large enough to split");
        float[] a = random(p.aLength(), 4);
        float[] b = random(p.bLength(), 5);
        float[] c0 = random(p.cLength(), 6);
        float[] single = c0.clone();
        Parallel.setThreads(1);
        path.run(p, a, b, single);
        for (int threads : new int[] {2, 3, 8}) {
          float[] multi = c0.clone();
          Parallel.setThreads(threads);
          path.run(p, a, b, multi);
          assertArrayEquals(single, multi, p + " with " + threads + " threads");
        }
      }
    } finally {
      Parallel.setThreads(saved);
    }
  }

  /**
   * Shapes for each kernel the epilogue passes through: the small-product kernel, the NT kernel for few rows, the
   * packed kernel with several row and k blocks, B read in place, and the column split of few rows over threads.
   */
  static Stream<Arguments> epilogueProblems() {
    List<Arguments> cases = new ArrayList<>();
    for (Path path : new Path[] {Path.SIMD, Path.PLAIN}) {
      for (int layout = 0; layout < 4; layout++) {
        boolean transA = layout >= 2;
        boolean transB = layout % 2 == 1;
        for (int threads : new int[] {1, 2}) {
          cases.add(Arguments.of(path, threads, Problem.of(transA, transB, 5, 7, 9, 1f, 0f, 1)));
          cases.add(Arguments.of(path, threads, Problem.of(transA, transB, 32, 70, 300, 1f, 0f, 0)));
          cases.add(Arguments.of(path, threads, Problem.of(transA, transB, 264, 101, 513, 1f, 0f, 2)));
          cases.add(Arguments.of(path, threads, Problem.of(transA, transB, 45, 61, 2100, -1f, 0.5f, 1)));
          cases.add(Arguments.of(path, threads, Problem.of(transA, transB, 33, 301, 450, 0.5f, 0f, 0)));
        }
      }
    }
    return cases.stream();
  }

  /**
   * The epilogue gives, bit for bit, the product followed by a separate pass adding the bias and applying relu (NaN
   * kept), and writes nothing outside C; with and without bias, with and without relu.
   */
  @ParameterizedTest(name = "{0} {1} threads {2}")
  @MethodSource("epilogueProblems")
  void epilogueIsTheProductThenBiasAndRelu(Path path, int threads, Problem p) {
    int saved = Parallel.threads();
    try {
      Parallel.setThreads(threads);
      float[] a = random(p.aLength(), 11);
      float[] b = random(p.bLength(), 12);
      float[] c0 = random(p.cLength(), 13);
      float[] bias = random(p.n + 3, 14);
      bias[p.n / 2] = Float.NaN;
      float[] product = c0.clone();
      path.run(p, a, b, product);
      for (boolean relu : new boolean[] {false, true}) {
        for (float[] withBias : new float[][] {bias, null}) {
          if (withBias == null && !relu) {
            continue;
          }
          float[] expected = product.clone();
          for (int i = 0; i < p.m; i++) {
            for (int j = 0; j < p.n; j++) {
              int at = p.cOff + i * p.ldc + j;
              float v = withBias == null ? expected[at] : expected[at] + withBias[j];
              expected[at] = relu && (v <= 0) ? 0f : v;
            }
          }
          float[] c = c0.clone();
          path.run(p, a, b, c, new Epilogue(withBias, relu));
          for (int at = 0; at < c.length; at++) {
            assertEquals(Float.floatToRawIntBits(expected[at]), Float.floatToRawIntBits(c[at]),
                path + " " + p + " relu " + relu + " bias " + (withBias != null) + ": element " + at);
          }
        }
      }
    } finally {
      Parallel.setThreads(saved);
    }
  }

  @Test
  void epilogueBiasShorterThanTheColumnsIsRejected() {
    Problem p = Problem.of(false, false, 4, 6, 5, 1f, 0f, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Path.SIMD.run(p,
        new float[p.aLength()], new float[p.bLength()], new float[p.cLength()], new Epilogue(new float[5], false)));
    assertTrue(e.getMessage().contains("bias has 5 values for 6 columns"), e.getMessage());
  }

  @Test
  void simdIsEnabledWhenTheModuleIsPresent() {
    boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    boolean forcedOff = "false".equalsIgnoreCase(System.getProperty("nabla.simd"));
    assertEquals(module && !forcedOff, Gemm.simdEnabled());
  }

  @Test
  void rejectsBadArgumentsByName() {
    float[] a = new float[12];
    float[] b = new float[12];
    float[] c = new float[12];
    assertMessage("m = -1", () -> Gemm.sgemm(false, false, -1, 3, 4, 1, a, 0, 4, b, 0, 3, 0, c, 0, 3));
    assertMessage("lda = 3 is less than 4", () ->
        Gemm.sgemm(false, false, 3, 3, 4, 1, a, 0, 3, b, 0, 3, 0, c, 0, 3));
    assertMessage("lda = 2 is less than 3", () ->
        Gemm.sgemm(true, false, 3, 3, 4, 1, a, 0, 2, b, 0, 3, 0, c, 0, 3));
    assertMessage("ldb = 3 is less than 4", () ->
        Gemm.sgemm(false, true, 3, 3, 4, 1, a, 0, 4, b, 0, 3, 0, c, 0, 3));
    assertMessage("ldc = 2 is less than 3", () ->
        Gemm.sgemm(false, false, 3, 3, 4, 1, a, 0, 4, b, 0, 3, 0, c, 0, 2));
    assertMessage("a.length = 12 is too short", () ->
        Gemm.sgemm(false, false, 3, 3, 4, 1, a, 1, 4, b, 0, 3, 0, c, 0, 3));
    assertMessage("b.length = 12 is too short", () ->
        Gemm.sgemm(false, false, 3, 3, 4, 1, a, 0, 4, b, 0, 4, 0, c, 0, 3));
    assertMessage("c.length = 12 is too short", () ->
        Gemm.sgemm(false, false, 3, 3, 4, 1, a, 0, 4, b, 0, 3, 0, c, 4, 3));
    assertMessage("bOff = -1", () ->
        Gemm.sgemm(false, false, 3, 3, 4, 1, a, 0, 4, b, -1, 3, 0, c, 0, 3));
    assertMessage("b is null", () ->
        Gemm.sgemm(false, false, 3, 3, 4, 1, a, 0, 4, null, 0, 3, 0, c, 0, 3));
    assertMessage("k = -2", () -> Gemm.dgemm(false, false, 1, 1, -2, 1,
        new double[1], 0, 1, new double[1], 0, 1, 0, new double[1], 0, 1));
    assertMessage("dgemm: c.length = 3 is too short", () -> Gemm.dgemm(false, false, 2, 2, 1, 1,
        new double[2], 0, 1, new double[2], 0, 2, 0, new double[3], 0, 2));
    assertMessage("sizes must be non-negative", () ->
        Gemm.sgemm(false, false, 1, Integer.MIN_VALUE, 1, 1, a, 0, 1, b, 0, 1, 0, c, 0, 1));
  }

  @Test
  void overflowingExtentsAreRejectedNotWrapped() {
    float[] small = new float[4];
    assertMessage("a.length = 4 is too short", () -> Gemm.sgemm(false, false, 65536, 1, 65536,
        1, small, 0, 65536, small, 0, 1, 0, small, 0, 1));
  }

  private static void assertMessage(String expected, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    if (!e.getMessage().contains(expected)) {
      fail("message \"" + e.getMessage() + "\" lacks \"" + expected + "\"");
    }
  }

  /** Runs one path and compares the m×n window with the reference, and every other element with its old value. */
  private static void check(Path path, Problem p, long seed) {
    float[] a = random(p.aLength(), seed);
    float[] b = random(p.bLength(), seed + 1);
    float[] c = random(p.cLength(), seed + 2);
    float[] before = c.clone();
    double[] expected = reference(p, a, b, before);
    double[] bound = errorBound(p, a, b, before);
    path.run(p, a, b, c);
    for (int at = 0; at < c.length; at++) {
      int row = (at - p.cOff) / p.ldc;
      int col = (at - p.cOff) % p.ldc;
      boolean inside = at >= p.cOff && row < p.m && col < p.n;
      if (!inside) {
        assertEquals(Float.floatToRawIntBits(before[at]), Float.floatToRawIntBits(c[at]),
            path + " " + p + ": wrote outside C at index " + at);
      } else if (Math.abs(c[at] - expected[at]) > bound[at]) {
        fail(path + " " + p + ": C[" + row + "," + col + "] = " + c[at] + ", expected "
            + expected[at] + " within " + bound[at]);
      }
    }
  }

  /** {@code alpha·op(A)·op(B) + beta·C} by the definition, in double precision. */
  private static double[] reference(Problem p, float[] a, float[] b, float[] c) {
    double[] out = toDouble(c);
    for (int i = 0; i < p.m; i++) {
      for (int j = 0; j < p.n; j++) {
        double sum = 0;
        for (int q = 0; q < p.k; q++) {
          sum += (double) opA(p, a, i, q) * opB(p, b, q, j);
        }
        int at = p.cOff + i * p.ldc + j;
        out[at] = p.alpha * sum + (p.beta == 0 ? 0 : p.beta * (double) c[at]);
      }
    }
    return out;
  }

  /** A float rounding-error bound per element: a few ulps per term of the sum of magnitudes. */
  private static double[] errorBound(Problem p, float[] a, float[] b, float[] c) {
    double[] out = new double[c.length];
    double eps = Math.ulp(1f);
    for (int i = 0; i < p.m; i++) {
      for (int j = 0; j < p.n; j++) {
        double sum = 0;
        for (int q = 0; q < p.k; q++) {
          sum += Math.abs((double) opA(p, a, i, q) * opB(p, b, q, j));
        }
        int at = p.cOff + i * p.ldc + j;
        double magnitude = Math.abs(p.alpha) * sum + Math.abs(p.beta * (double) c[at]);
        out[at] = 2 * (p.k + 3) * eps * magnitude + Float.MIN_NORMAL;
      }
    }
    return out;
  }

  private static float opA(Problem p, float[] a, int i, int q) {
    return p.transA ? a[p.aOff + q * p.lda + i] : a[p.aOff + i * p.lda + q];
  }

  private static float opB(Problem p, float[] b, int q, int j) {
    return p.transB ? b[p.bOff + j * p.ldb + q] : b[p.bOff + q * p.ldb + j];
  }

  private static float[] random(int length, long seed) {
    Random random = new Random(seed);
    float[] x = new float[length];
    for (int i = 0; i < length; i++) {
      x[i] = (float) (random.nextGaussian());
    }
    return x;
  }

  private static double[] toDouble(float[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i];
    }
    return out;
  }
}
