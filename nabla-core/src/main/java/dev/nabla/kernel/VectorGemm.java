package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API single-precision GEMM behind {@link Gemm#sgemm}; loaded only when the
 * {@code jdk.incubator.vector} module is present.
 *
 * <p>The classic packed scheme: C is computed in {@code MR × NR} tiles (8 rows × 2 vectors), each
 * kept in 16 vector registers while a micro-kernel sums {@code kc} rank-1 updates. Both operands
 * are first copied ("packed") into panels laid out in the order the micro-kernel reads them, so
 * transposed and plain layouts run equally fast: op(B) into {@code kc × NR} panels shared by all
 * threads, op(A) into {@code MR × kc} panels per thread. The k dimension is cut into blocks of
 * {@code KC} so a B panel stays in L1 and a block of A panels in L2. Arguments are validated by
 * {@link Gemm}.
 */
final class VectorGemm {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int VL = S.length();
  static final int MR = 8;
  static final int NR = 2 * VL;
  static final int KC = 256;
  static final int MC = 128;
  static final int NC = 1024;
  /** Minimum multiply-adds per parallel block, so a block outweighs the cost of handing it off. */
  private static final long MIN_BLOCK_FMAS = 1L << 20;

  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private VectorGemm() {}

  static boolean usable() {
    return VL >= 4;
  }

  /** Per-thread scratch space, reused across calls. */
  private static final class Buffers {
    final float[] packedA = new float[MC * KC];
    final float[] tile = new float[MR * NR];
    float[] packedB = new float[0];

    float[] packedB(int size) {
      if (packedB.length < size) {
        packedB = new float[size];
      }
      return packedB;
    }
  }

  static void sgemm(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    boolean parallel = Parallel.threads() > 1 && (long) m * n * k >= Gemm.PARALLEL_MIN_FMAS;
    int[] gatherB = transB ? gatherIndex(VL, ldb) : null;
    int[] gatherA = transA ? gatherIndex(VL, MR, lda) : gatherIndex(MR, lda);
    float[] bp = BUFFERS.get().packedB(KC * Math.min(NC, roundUp(n, NR)));
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc);
      int colPanels = (nc + NR - 1) / NR;
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        boolean first = pc == 0;
        int jcc = jc;
        int pcc = pc;
        Parallel.RangeBody pack = (s, e) ->
            packB(transB, b, bOff, ldb, pcc, kc, jcc, nc, s, e, bp, gatherB);
        Parallel.RangeBody compute = (s, e) -> computeRows(s * MR, Math.min(m, e * MR),
            transA, a, aOff, lda, gatherA, pcc, kc, first, jcc, nc, bp, alpha, beta, c, cOff, ldc);
        int rowPanels = (m + MR - 1) / MR;
        if (parallel) {
          Parallel.forRange(colPanels, 4, pack);
          long panelFmas = (long) MR * nc * kc;
          Parallel.forRange(rowPanels, (int) Math.max(1, MIN_BLOCK_FMAS / panelFmas), compute);
        } else {
          pack.run(0, colPanels);
          compute.run(0, rowPanels);
        }
      }
    }
  }

  /** Gather offsets reading {@code VL} lanes as {@code VL / group} columns of {@code group} rows {@code ld} apart, or null if gathers do not fit. */
  private static int[] gatherIndex(int group, int ld) {
    if (VL % group != 0 || (long) VL * ld > Integer.MAX_VALUE) {
      return null;
    }
    int[] index = new int[VL];
    for (int lane = 0; lane < VL; lane++) {
      index[lane] = (lane % group) * ld + lane / group;
    }
    return index;
  }

  /** Gather offsets reading {@code VL} lanes as {@code VL / width} rows {@code ld} apart of {@code width} contiguous elements, or null if gathers do not fit. */
  private static int[] gatherIndex(int vl, int width, int ld) {
    if (vl % width != 0 || (long) vl * ld > Integer.MAX_VALUE) {
      return null;
    }
    int[] index = new int[vl];
    for (int lane = 0; lane < vl; lane++) {
      index[lane] = (lane / width) * ld + lane % width;
    }
    return index;
  }

  /** Rows {@code [i0, i1)} of C for one {@code kc × nc} block of packed B; {@code i0} is a multiple of MR. */
  private static void computeRows(int i0, int i1, boolean transA, float[] a, int aOff, int lda,
      int[] gatherA, int pc, int kc, boolean first, int jc, int nc, float[] bp,
      float alpha, float beta, float[] c, int cOff, int ldc) {
    Buffers buffers = BUFFERS.get();
    float[] ap = buffers.packedA;
    for (int ic = i0; ic < i1; ic += MC) {
      int mc = Math.min(MC, i1 - ic);
      packA(transA, a, aOff, lda, ic, mc, pc, kc, ap, gatherA);
      for (int jr = 0; jr < nc; jr += NR) {
        int nr = Math.min(NR, nc - jr);
        for (int ir = 0; ir < mc; ir += MR) {
          int mr = Math.min(MR, mc - ir);
          kernel(kc, ap, ir * kc, bp, jr * kc, c, cOff + (ic + ir) * ldc + jc + jr, ldc,
              mr, nr, alpha, beta, first, buffers.tile);
        }
      }
    }
  }

  /** Packs rows {@code [ic, ic + mc)} × columns {@code [pc, pc + kc)} of op(A) into MR-row panels, {@code ap[panel·MR·kc + p·MR + r]}, zero-padded. */
  private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc,
      int pc, int kc, float[] ap, int[] gatherA) {
    for (int ir = 0; ir < mc; ir += MR) {
      int rows = Math.min(MR, mc - ir);
      int dst = ir * kc;
      int i0 = ic + ir;
      if (transA) {
        int src = aOff + pc * lda + i0;
        int p = 0;
        if (rows == MR && gatherA != null) {
          int step = VL / MR;
          for (; p + step <= kc; p += step) {
            FloatVector.fromArray(S, a, src + p * lda, gatherA, 0).intoArray(ap, dst + p * MR);
          }
        }
        for (; p < kc; p++) {
          int from = src + p * lda;
          int to = dst + p * MR;
          for (int r = 0; r < MR; r++) {
            ap[to + r] = r < rows ? a[from + r] : 0;
          }
        }
      } else {
        int src = aOff + i0 * lda + pc;
        int p = 0;
        if (rows == MR && gatherA != null) {
          int step = VL / MR;
          for (; p + step <= kc; p += step) {
            FloatVector.fromArray(S, a, src + p, gatherA, 0).intoArray(ap, dst + p * MR);
          }
        }
        for (int r = 0; r < MR; r++) {
          int rowSrc = src + r * lda;
          for (int q = p; q < kc; q++) {
            ap[dst + q * MR + r] = r < rows ? a[rowSrc + q] : 0;
          }
        }
      }
    }
  }

  /** Packs NR-column panels {@code [s, e)} of op(B) rows {@code [pc, pc + kc)}, columns from {@code jc}, into {@code bp[panel·kc·NR + p·NR + j]}, zero-padded. */
  private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc,
      int jc, int nc, int s, int e, float[] bp, int[] gatherB) {
    for (int panel = s; panel < e; panel++) {
      int j0 = panel * NR;
      int cols = Math.min(NR, nc - j0);
      int dst = j0 * kc;
      if (!transB) {
        int src = bOff + pc * ldb + jc + j0;
        for (int p = 0; p < kc; p++, src += ldb, dst += NR) {
          if (cols == NR) {
            FloatVector.fromArray(S, b, src).intoArray(bp, dst);
            FloatVector.fromArray(S, b, src + VL).intoArray(bp, dst + VL);
          } else {
            for (int j = 0; j < cols; j++) {
              bp[dst + j] = b[src + j];
            }
            for (int j = cols; j < NR; j++) {
              bp[dst + j] = 0;
            }
          }
        }
      } else if (cols == NR && gatherB != null) {
        int src = bOff + (jc + j0) * ldb + pc;
        int src2 = src + VL * ldb;
        for (int p = 0; p < kc; p++, dst += NR) {
          FloatVector.fromArray(S, b, src + p, gatherB, 0).intoArray(bp, dst);
          FloatVector.fromArray(S, b, src2 + p, gatherB, 0).intoArray(bp, dst + VL);
        }
      } else {
        for (int j = 0; j < NR; j++) {
          int src = bOff + (jc + j0 + j) * ldb + pc;
          for (int p = 0; p < kc; p++) {
            bp[dst + p * NR + j] = j < cols ? b[src + p] : 0;
          }
        }
      }
    }
  }

  /**
   * The micro-kernel: {@code C[mr×nr] (+)= alpha · Apanel · Bpanel} over {@code kc} steps, with
   * the MR × NR accumulator tile held in registers; {@code first} applies beta to the old C.
   */
  private static void kernel(int kc, float[] ap, int ai, float[] bp, int bi,
      float[] c, int ci, int ldc, int mr, int nr, float alpha, float beta, boolean first,
      float[] tile) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
      FloatVector x = FloatVector.broadcast(S, ap[ai]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, ap[ai + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, ap[ai + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, ap[ai + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(S, ap[ai + 4]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(S, ap[ai + 5]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      x = FloatVector.broadcast(S, ap[ai + 6]);
      c60 = x.fma(b0, c60);
      c61 = x.fma(b1, c61);
      x = FloatVector.broadcast(S, ap[ai + 7]);
      c70 = x.fma(b0, c70);
      c71 = x.fma(b1, c71);
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, VL);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + VL);
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
    updateTile(tile, c, ci, ldc, mr, nr, alpha, beta, first);
  }

  /**
   * {@code C = tile·alpha + old} for an {@code mr × nr} tile, where old is C, or {@code beta·C} on
   * the first k block; full and edge tiles round the same way, so the partition never changes a result.
   */
  private static void updateTile(float[] tile, float[] c, int ci, int ldc, int mr, int nr,
      float alpha, float beta, boolean first) {
    if (nr == NR) {
      FloatVector va = FloatVector.broadcast(S, alpha);
      for (int r = 0, at = ci; r < mr; r++, at += ldc) {
        for (int v = 0; v < NR; v += VL) {
          FloatVector old = !first ? FloatVector.fromArray(S, c, at + v)
              : beta == 0 ? FloatVector.zero(S) : FloatVector.fromArray(S, c, at + v).mul(beta);
          FloatVector.fromArray(S, tile, r * NR + v).fma(va, old).intoArray(c, at + v);
        }
      }
      return;
    }
    for (int r = 0; r < mr; r++) {
      for (int j = 0; j < nr; j++) {
        int at = ci + r * ldc + j;
        float old = !first ? c[at] : beta == 0 ? 0f : beta * c[at];
        c[at] = Math.fma(tile[r * NR + j], alpha, old);
      }
    }
  }

  private static int roundUp(int x, int multiple) {
    return (x + multiple - 1) / multiple * multiple;
  }
}
