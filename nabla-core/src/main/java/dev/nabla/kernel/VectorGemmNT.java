package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API GEMM for {@code C = alpha·op(A)·Bᵀ + beta·C} when C has few rows (a small batch
 * times a transposed weight matrix, the input gradient {@code dY·Wᵀ}): it computes Cᵀ so that B
 * is read in place and only the small op(A) is transposed, where {@link VectorGemm} would
 * transpose all of B into panels.
 *
 * <p>A tile is {@code NR} rows of C (two vectors along i) by {@code MR} columns (eight rows of
 * B, broadcast one element at a time). The tile goes through a scratch copy of Cᵀ, so every
 * element, edge or not, is {@code beta·C} plus the products added one by one in k order.
 * Arguments are validated by {@link Gemm}.
 */
final class VectorGemmNT {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int VL = S.length();
  private static final int NR = 2 * VL;
  private static final int MR = 8;
  /** k block: how many products a tile sums in registers before it goes back to its scratch copy. */
  private static final int KC = 1024;
  /** Above this many rows of C, packing B pays for itself and {@link VectorGemm} is faster. */
  static final int MAX_ROWS = 64;

  private static final ThreadLocal<float[][]> BUFFERS =
      ThreadLocal.withInitial(() -> new float[][] {new float[KC * NR], new float[MR * NR]});

  private VectorGemmNT() {}

  /** Whether this kernel is the faster choice; depends on the shape only, never on threads. */
  static boolean suits(boolean transB, int m, int n) {
    return transB && m <= MAX_ROWS && n >= MR;
  }

  static void sgemm(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff,
      int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, Epilogue epilogue) {
    // op(A) is transposed once and shared: packing it again in every parallel block cost as much
    // as the block's products at batch 32. The calling thread's buffer, filled by all threads in
    // chunks of k (alone, the transposition held up the other thread for a fifth of the product)
    int rowGroups = (m + NR - 1) / NR;
    float[] at = packedA(rowGroups * NR * k);
    long work = (long) m * n * k;
    boolean parallel = Parallel.threads() > 1 && work >= Gemm.PARALLEL_MIN_FMAS;
    int chunks = (k + PACK_CHUNK - 1) / PACK_CHUNK;
    Parallel.RangeBody pack = (s, e) -> {
      for (int u = s; u < e; u++) {
        int g = u / chunks;
        int p0 = u % chunks * PACK_CHUNK;
        packTransposedA(transA, a, aOff, lda, g * NR, Math.min(NR, m - g * NR), p0,
            Math.min(k, p0 + PACK_CHUNK), alpha, at, g * NR * k);
      }
    };
    if (parallel) {
      Parallel.forRange(rowGroups * chunks, 1, pack);
    } else {
      pack.run(0, rowGroups * chunks);
    }
    int groups = (n + MR - 1) / MR;
    Parallel.RangeBody columns = (s, e) -> columns(s * MR, Math.min(n, e * MR), m, k, at,
        b, bOff, ldb, beta, c, cOff, ldc, epilogue);
    if (parallel) {
      long groupFmas = (long) m * MR * k;
      Parallel.forRange(groups, (int) Math.max(1, (1L << 20) / groupFmas), columns);
    } else {
      columns.run(0, groups);
    }
  }

  /** The calling thread's buffer for the transposed op(A), grown to at least {@code size} floats. */
  /** Columns of op(A) per parallel block of its transposition. */
  private static final int PACK_CHUNK = 512;

  private static float[] packedA(int size) {
    float[][] buffers = BUFFERS.get();
    if (buffers[0].length < size) {
      buffers[0] = new float[size];
    }
    return buffers[0];
  }

  /**
   * Columns {@code [j0, j1)} of C; {@code j0} is a multiple of MR. The epilogue (or null) is applied to the tile,
   * column by column, before it is written back after the last k block.
   */
  private static void columns(int j0, int j1, int m, int k, float[] at, float[] b, int bOff,
      int ldb, float beta, float[] c, int cOff, int ldc, Epilogue epilogue) {
    float[] tile = BUFFERS.get()[1];
    int kBlocks = (k + KC - 1) / KC;
    int kcMax = (k + kBlocks - 1) / kBlocks;
    for (int i0 = 0; i0 < m; i0 += NR) {
      int rows = Math.min(NR, m - i0);
      for (int pc = 0; pc < k; pc += kcMax) {
        int kc = Math.min(kcMax, k - pc);
        boolean first = pc == 0;
        int ai = i0 * k + pc * NR;
        for (int j = j0; j < j1; j += MR) {
          int cols = Math.min(MR, j1 - j);
          int ci = cOff + i0 * ldc + j;
          if (first && beta == 0) {
            java.util.Arrays.fill(tile, 0f);
          } else {
            for (int q = 0; q < cols; q++) {
              for (int i = 0; i < rows; i++) {
                float old = c[ci + i * ldc + q];
                tile[q * NR + i] = first ? beta * old : old;
              }
            }
          }
          int bj = bOff + j * ldb + pc;
          if (cols == MR) {
            kernel(kc, at, ai, b, bj, ldb, tile);
          } else {
            for (int q = 0; q < cols; q++) {
              for (int i = 0; i < rows; i++) {
                float sum = tile[q * NR + i];
                for (int p = 0; p < kc; p++) {
                  sum = Math.fma(b[bj + q * ldb + p], at[ai + p * NR + i], sum);
                }
                tile[q * NR + i] = sum;
              }
            }
          }
          if (epilogue != null && pc + kc == k) {
            for (int q = 0; q < cols; q++) {
              epilogue.applyToColumn(tile, q * NR, rows, j + q);
            }
          }
          for (int q = 0; q < cols; q++) {
            for (int i = 0; i < rows; i++) {
              c[ci + i * ldc + q] = tile[q * NR + i];
            }
          }
        }
      }
    }
  }

  /**
   * Packs {@code alpha·op(A)} rows {@code [i0, i0 + rows)}, columns {@code [p0, p1)}, as
   * {@code at[ao + p·NR + i]}, zero-padded.
   */
  private static void packTransposedA(boolean transA, float[] a, int aOff, int lda, int i0,
      int rows, int p0, int p1, float alpha, float[] at, int ao) {
    if (transA) {
      for (int p = p0; p < p1; p++) {
        int src = aOff + p * lda + i0;
        for (int i = 0; i < NR; i++) {
          at[ao + p * NR + i] = i < rows ? alpha * a[src + i] : 0f;
        }
      }
      return;
    }
    if (rows == NR && (long) NR * lda <= Integer.MAX_VALUE) {
      int[] index = new int[VL];
      for (int lane = 0; lane < VL; lane++) {
        index[lane] = lane * lda;
      }
      int src = aOff + i0 * lda;
      int src2 = src + VL * lda;
      for (int p = p0; p < p1; p++) {
        FloatVector.fromArray(S, a, src + p, index, 0).mul(alpha).intoArray(at, ao + p * NR);
        FloatVector.fromArray(S, a, src2 + p, index, 0).mul(alpha).intoArray(at, ao + p * NR + VL);
      }
      return;
    }
    for (int i = 0; i < NR; i++) {
      int src = aOff + (i0 + i) * lda;
      for (int p = p0; p < p1; p++) {
        at[ao + p * NR + i] = i < rows ? alpha * a[src + p] : 0f;
      }
    }
  }

  /** {@code tile[q][i] += Σ_p B[j+q][p] · at[p][i]} for eight rows of B, the tile held in 16 registers. */
  private static void kernel(int kc, float[] at, int ai, float[] b, int bj, int ldb, float[] tile) {
    FloatVector c00 = FloatVector.fromArray(S, tile, 0 * NR);
    FloatVector c01 = FloatVector.fromArray(S, tile, 0 * NR + VL);
    FloatVector c10 = FloatVector.fromArray(S, tile, 1 * NR);
    FloatVector c11 = FloatVector.fromArray(S, tile, 1 * NR + VL);
    FloatVector c20 = FloatVector.fromArray(S, tile, 2 * NR);
    FloatVector c21 = FloatVector.fromArray(S, tile, 2 * NR + VL);
    FloatVector c30 = FloatVector.fromArray(S, tile, 3 * NR);
    FloatVector c31 = FloatVector.fromArray(S, tile, 3 * NR + VL);
    FloatVector c40 = FloatVector.fromArray(S, tile, 4 * NR);
    FloatVector c41 = FloatVector.fromArray(S, tile, 4 * NR + VL);
    FloatVector c50 = FloatVector.fromArray(S, tile, 5 * NR);
    FloatVector c51 = FloatVector.fromArray(S, tile, 5 * NR + VL);
    FloatVector c60 = FloatVector.fromArray(S, tile, 6 * NR);
    FloatVector c61 = FloatVector.fromArray(S, tile, 6 * NR + VL);
    FloatVector c70 = FloatVector.fromArray(S, tile, 7 * NR);
    FloatVector c71 = FloatVector.fromArray(S, tile, 7 * NR + VL);
    for (int p = 0; p < kc; p++, ai += NR, bj++) {
      FloatVector a0 = FloatVector.fromArray(S, at, ai);
      FloatVector a1 = FloatVector.fromArray(S, at, ai + VL);
      FloatVector x = FloatVector.broadcast(S, b[bj]);
      c00 = x.fma(a0, c00);
      c01 = x.fma(a1, c01);
      x = FloatVector.broadcast(S, b[bj + 1 * ldb]);
      c10 = x.fma(a0, c10);
      c11 = x.fma(a1, c11);
      x = FloatVector.broadcast(S, b[bj + 2 * ldb]);
      c20 = x.fma(a0, c20);
      c21 = x.fma(a1, c21);
      x = FloatVector.broadcast(S, b[bj + 3 * ldb]);
      c30 = x.fma(a0, c30);
      c31 = x.fma(a1, c31);
      x = FloatVector.broadcast(S, b[bj + 4 * ldb]);
      c40 = x.fma(a0, c40);
      c41 = x.fma(a1, c41);
      x = FloatVector.broadcast(S, b[bj + 5 * ldb]);
      c50 = x.fma(a0, c50);
      c51 = x.fma(a1, c51);
      x = FloatVector.broadcast(S, b[bj + 6 * ldb]);
      c60 = x.fma(a0, c60);
      c61 = x.fma(a1, c61);
      x = FloatVector.broadcast(S, b[bj + 7 * ldb]);
      c70 = x.fma(a0, c70);
      c71 = x.fma(a1, c71);
    }
    c00.intoArray(tile, 0 * NR);
    c01.intoArray(tile, 0 * NR + VL);
    c10.intoArray(tile, 1 * NR);
    c11.intoArray(tile, 1 * NR + VL);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + VL);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + VL);
    c40.intoArray(tile, 4 * NR);
    c41.intoArray(tile, 4 * NR + VL);
    c50.intoArray(tile, 5 * NR);
    c51.intoArray(tile, 5 * NR + VL);
    c60.intoArray(tile, 6 * NR);
    c61.intoArray(tile, 6 * NR + VL);
    c70.intoArray(tile, 7 * NR);
    c71.intoArray(tile, 7 * NR + VL);
  }
}
