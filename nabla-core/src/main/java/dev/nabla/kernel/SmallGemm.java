package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM for products too small to repay packing (a few tens of thousands of multiply-adds, such as a 10-class output
 * layer, or a single input row as in one-image inference): dot products along k when B is stored transposed, otherwise rows of C accumulated from rows of B. Single
 * threaded; the summation order depends only on the shape. Only loaded when the Vector API module is present.
 */
final class SmallGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Products with at most this many multiply-adds take this path. */
    static final long MAX_FMAS = 1L << 16;

    private SmallGemm() {}

    /** Products with at most this many rows of C take this path whatever their size (matrix-vector products). */
    static final int MAX_ROWS = 4;

    /** True when this shape and layout should take the small path. */
    static boolean applies(boolean transA, boolean transB, int m, int n, int k) {
        return ((long) m * n * k <= MAX_FMAS || m <= MAX_ROWS) && !(transA && transB);
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
            float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (transB) {
            dots(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            rows(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /** C = alpha·A·Bᵀ + beta·C with A and B both read along k. */
    private static void dots(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff,
            int ldb, float beta, float[] c, int cOff, int ldc) {
        int bound = S.loopBound(k);
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * lda;
            for (int j = 0; j < n; j++) {
                int bj = bOff + j * ldb;
                FloatVector acc = FloatVector.zero(S);
                int p = 0;
                for (; p < bound; p += S.length()) {
                    acc = FloatVector.fromArray(S, a, ai + p).fma(FloatVector.fromArray(S, b, bj + p), acc);
                }
                float sum = acc.reduceLanes(VectorOperators.ADD);
                for (; p < k; p++) {
                    sum += a[ai + p] * b[bj + p];
                }
                int ci = cOff + i * ldc + j;
                c[ci] = beta == 0 ? alpha * sum : alpha * sum + beta * c[ci];
            }
        }
    }

    /** C = alpha·op(A)·B + beta·C, one row of C at a time: C[i,:] += op(A)[i,p]·B[p,:]. */
    private static void rows(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
            float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        int bound = S.loopBound(n);
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            } else if (beta != 1) {
                for (int j = 0; j < n; j++) {
                    c[ci + j] *= beta;
                }
            }
            for (int p = 0; p < k; p++) {
                float x = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
                int bp = bOff + p * ldb;
                int j = 0;
                if (bound > 0) {
                    FloatVector xv = FloatVector.broadcast(S, x);
                    for (; j < bound; j += S.length()) {
                        FloatVector.fromArray(S, b, bp + j).fma(xv, FloatVector.fromArray(S, c, ci + j))
                                .intoArray(c, ci + j);
                    }
                }
                for (; j < n; j++) {
                    c[ci + j] += x * b[bp + j];
                }
            }
        }
    }
}
