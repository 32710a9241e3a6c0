package dev.nabla.kernel;

/**
 * General matrix multiply on row-major arrays, {@code C = alpha·op(A)·op(B) + beta·C}: the kernel
 * that dense layers and convolutions spend their time in.
 *
 * <p>{@code op(A)} is {@code m×k}; with {@code transA} A is stored {@code k×m} and read transposed.
 * {@code op(B)} is {@code k×n}; with {@code transB} B is stored {@code n×k}. Element {@code (i, j)}
 * of a matrix X stored with offset {@code xOff} and leading dimension {@code ldx} is
 * {@code x[xOff + i·ldx + j]}. With {@code beta == 0} C is overwritten, whatever it held (NaN
 * included).
 *
 * <p>{@link #sgemm} runs a packed, register-blocked Vector API kernel when the
 * {@code jdk.incubator.vector} module is present (run the JVM with
 * {@code --add-modules=jdk.incubator.vector}) and the system property {@code nabla.simd} is not
 * {@code false}, else plain Java loops. Large products are split over blocks of C with
 * {@link Parallel}; each element of C is summed in the same order whatever the thread count, so
 * results are bit-identical across thread counts.
 */
public final class Gemm {

  /** Products with fewer fused multiply-adds than this run on the calling thread alone. */
  static final long PARALLEL_MIN_FMAS = 1L << 22;

  private static final boolean SIMD = detectSimd();

  private Gemm() {}

  /** Whether {@link #sgemm} uses the Vector API kernel. */
  public static boolean simdEnabled() {
    return SIMD;
  }

  /** {@code C[m×n] = alpha·op(A)·op(B) + beta·C} in single precision; see the class comment. */
  public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    sgemm(SIMD, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, null);
  }

  /**
   * {@link #sgemm}, then {@code epilogue} (a bias per column and an optional relu) applied to C; the kernels apply
   * it block by block while each block is still in the cache, with the same result as applying it afterwards.
   */
  public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc, Epilogue epilogue) {
    sgemm(SIMD, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, epilogue);
  }

  /** {@link #sgemm} forced onto the Vector API path; fails if the module is absent. */
  static void sgemmSimd(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc, Epilogue epilogue) {
    if (!ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      throw new IllegalStateException("sgemmSimd: module jdk.incubator.vector is not present");
    }
    sgemm(true, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, epilogue);
  }

  /** {@link #sgemm} forced onto the plain Java path. */
  static void sgemmPlain(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc, Epilogue epilogue) {
    sgemm(false, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, epilogue);
  }

  private static void sgemm(boolean simd, boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc, Epilogue epilogue) {
    if (a == null || b == null || c == null) {
      throw new IllegalArgumentException("sgemm: arrays must not be null (a " + describe(a)
          + ", b " + describe(b) + ", c " + describe(c) + ")");
    }
    validate("sgemm", transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb,
        c.length, cOff, ldc);
    if (epilogue != null) {
      epilogue.check("sgemm", n);
    }
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0 || alpha == 0) {
      scale(m, n, beta, c, cOff, ldc);
      if (epilogue != null) {
        epilogue.apply(c, cOff, ldc, 0, m, 0, n);
      }
    } else if (simd && SmallGemm.applies(transA, transB, m, n, k)) {
      SmallGemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      if (epilogue != null) {
        epilogue.apply(c, cOff, ldc, 0, m, 0, n);
      }
    } else if (simd) {
      VectorGemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
          beta, c, cOff, ldc, epilogue);
    } else {
      Parallel.RangeBody rows = (start, end) -> {
        plainRows(start, end, transA, transB, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        if (epilogue != null) {
          epilogue.apply(c, cOff, ldc, start, end, 0, n);
        }
      };
      forRows(m, n, k, rows);
    }
  }

  /** {@code C[m×n] = alpha·op(A)·op(B) + beta·C} in double precision, with plain loops. */
  public static void dgemm(boolean transA, boolean transB, int m, int n, int k,
      double alpha, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double beta, double[] c, int cOff, int ldc) {
    if (a == null || b == null || c == null) {
      throw new IllegalArgumentException("dgemm: arrays must not be null (a " + describe(a)
          + ", b " + describe(b) + ", c " + describe(c) + ")");
    }
    validate("dgemm", transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb,
        c.length, cOff, ldc);
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0 || alpha == 0) {
      scale(m, n, beta, c, cOff, ldc);
      return;
    }
    Parallel.RangeBody rows = (start, end) -> plainRows(start, end, transA, transB, n, k,
        alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    forRows(m, n, k, rows);
  }

  /** Runs {@code rows} over the m rows of C, split over threads when the product is large; the plain paths split by rows only. */
  private static void forRows(int m, int n, int k, Parallel.RangeBody rows) {
    long work = (long) m * n * k;
    if (Parallel.threads() == 1 || work < PARALLEL_MIN_FMAS) {
      rows.run(0, m);
    } else {
      int grain = (int) Math.max(1, PARALLEL_MIN_FMAS / 4 / ((long) n * k));
      Parallel.forRange(m, grain, rows);
    }
  }

  /** Rows {@code [i0, i1)} of C in i-k-j order (streaming over rows of B), or as dot products when B is transposed. */
  private static void plainRows(int i0, int i1, boolean transA, boolean transB, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    int aRowStride = transA ? 1 : lda;
    int aColStride = transA ? lda : 1;
    for (int i = i0; i < i1; i++) {
      int ci = cOff + i * ldc;
      int ai = aOff + i * aRowStride;
      if (transB) {
        for (int j = 0; j < n; j++) {
          int bj = bOff + j * ldb;
          float sum = 0;
          for (int p = 0; p < k; p++) {
            sum += a[ai + p * aColStride] * b[bj + p];
          }
          c[ci + j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[ci + j];
        }
      } else {
        scaleRow(n, beta, c, ci);
        for (int p = 0; p < k; p++) {
          float aip = alpha * a[ai + p * aColStride];
          int bp = bOff + p * ldb;
          for (int j = 0; j < n; j++) {
            c[ci + j] += aip * b[bp + j];
          }
        }
      }
    }
  }

  private static void plainRows(int i0, int i1, boolean transA, boolean transB, int n, int k,
      double alpha, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double beta, double[] c, int cOff, int ldc) {
    int aRowStride = transA ? 1 : lda;
    int aColStride = transA ? lda : 1;
    for (int i = i0; i < i1; i++) {
      int ci = cOff + i * ldc;
      int ai = aOff + i * aRowStride;
      if (transB) {
        for (int j = 0; j < n; j++) {
          int bj = bOff + j * ldb;
          double sum = 0;
          for (int p = 0; p < k; p++) {
            sum += a[ai + p * aColStride] * b[bj + p];
          }
          c[ci + j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[ci + j];
        }
      } else {
        if (beta == 0) {
          java.util.Arrays.fill(c, ci, ci + n, 0.0);
        } else if (beta != 1) {
          for (int j = 0; j < n; j++) {
            c[ci + j] *= beta;
          }
        }
        for (int p = 0; p < k; p++) {
          double aip = alpha * a[ai + p * aColStride];
          int bp = bOff + p * ldb;
          for (int j = 0; j < n; j++) {
            c[ci + j] += aip * b[bp + j];
          }
        }
      }
    }
  }

  private static void scaleRow(int n, float beta, float[] c, int ci) {
    if (beta == 0) {
      java.util.Arrays.fill(c, ci, ci + n, 0f);
    } else if (beta != 1) {
      for (int j = 0; j < n; j++) {
        c[ci + j] *= beta;
      }
    }
  }

  private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      scaleRow(n, beta, c, cOff + i * ldc);
    }
  }

  private static void scale(int m, int n, double beta, double[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * ldc;
      for (int j = 0; j < n; j++) {
        c[ci + j] = beta == 0 ? 0.0 : beta * c[ci + j];
      }
    }
  }

  /** Checks sizes, leading dimensions, offsets and array lengths, naming the argument at fault. */
  static void validate(String op, boolean transA, boolean transB, int m, int n, int k,
      int aLength, int aOff, int lda, int bLength, int bOff, int ldb,
      int cLength, int cOff, int ldc) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException(op + ": sizes must be non-negative, got m = " + m
          + ", n = " + n + ", k = " + k);
    }
    checkMatrix(op, "A", "a", transA ? k : m, transA ? m : k, transA, aLength, aOff, lda);
    checkMatrix(op, "B", "b", transB ? n : k, transB ? k : n, transB, bLength, bOff, ldb);
    checkMatrix(op, "C", "c", m, n, false, cLength, cOff, ldc);
  }

  private static void checkMatrix(String op, String name, String arg, int rows, int cols,
      boolean transposed, int length, int off, int ld) {
    long needed = rows == 0 || cols == 0 ? off : off + (long) (rows - 1) * ld + cols;
    if (ld < Math.max(1, cols) || off < 0 || needed > length) { // the messages are built only on failure
      matrixError(op, name, arg, rows, cols, transposed, length, off, ld, needed);
    }
  }

  private static void matrixError(String op, String name, String arg, int rows, int cols,
      boolean transposed, int length, int off, int ld, long needed) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    String stored = name + " (stored " + rows + "x" + cols + (transposed ? ", transposed" : "") + ")";
    if (ld < Math.max(1, cols)) {
      throw new IllegalArgumentException(op + ": ld" + lower + " = " + ld + " is less than "
          + Math.max(1, cols) + ", the row length of " + stored);
    }
    if (off < 0) {
      throw new IllegalArgumentException(op + ": " + lower + "Off = " + off
          + " is negative for " + stored);
    }
    throw new IllegalArgumentException(op + ": " + arg + ".length = " + length
        + " is too short for " + stored + " with " + lower + "Off = " + off + ", ld" + lower
        + " = " + ld + ": needs " + needed + " elements");
  }

  private static String describe(Object array) {
    return array == null ? "is null" : "is set";
  }

  private static boolean detectSimd() {
    if ("false".equalsIgnoreCase(System.getProperty("nabla.simd"))) {
      return false;
    }
    if (!ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      return false;
    }
    try {
      return VectorGemm.usable();
    } catch (LinkageError e) {
      return false;
    }
  }
}
