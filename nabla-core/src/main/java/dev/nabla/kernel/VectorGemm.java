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
 * threads, op(A) into {@code MR × kc} panels per thread. The k dimension is cut into equal blocks
 * of at most {@code KC}, and {@code KC} is large: every k block reloads and stores each C tile, and
 * on this machine that round trip (the tile's rows are far apart, so its loads miss the cache and
 * stall the kernel before its first FMA) cost more than streaming B panels from L2 instead of L1.
 * One block instead of four took 1024³ from 93 to 128 GFLOP/s, and 256×784·784×256 from 90 to
 * 122, on one thread. When C has few
 * rows a plain B is read in place (too few rows reuse it to repay packing), and {@code A·Bᵀ} goes
 * to {@link VectorGemmNT}. Arguments are validated by {@link Gemm}.
 */
final class VectorGemm {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int VL = S.length();
  static final int MR = 8;
  static final int NR = 2 * VL;
  static final int KC = 2048;
  static final int MC = 128;
  static final int NC = 1024;
  /** Minimum multiply-adds per parallel block, so a block outweighs the cost of handing it off. */
  private static final long MIN_BLOCK_FMAS = 1L << 20;
  /**
   * With fewer row panels per thread than this, threads split C by columns, each packing its own
   * part of B with one hand-off per call, instead of sharing packed B and meeting at every k block.
   */
  private static final int ROW_PANELS_PER_THREAD = 8;
  /**
   * With at most this many row panels, a plain (not transposed) B is read in place rather than
   * packed: each of its elements is used by too few rows of A to repay the copy.
   */
  private static final int DIRECT_B_ROW_PANELS = 8;

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
      float beta, float[] c, int cOff, int ldc, Epilogue epilogue) {
    if (VectorGemmNT.suits(transB, m, n)) {
      VectorGemmNT.sgemm(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, epilogue);
      return;
    }
    int threads = Parallel.threads();
    boolean parallel = threads > 1 && (long) m * n * k >= Gemm.PARALLEL_MIN_FMAS;
    int[] gatherB = transB ? gatherIndex(VL, ldb) : null;
    int[] gatherA = transA ? rowGatherIndex(MR, lda) : gatherIndex(MR, lda);
    int rowPanels = (m + MR - 1) / MR;
    int colPanels = (n + NR - 1) / NR;
    if (parallel && rowPanels < ROW_PANELS_PER_THREAD * threads && colPanels > 1) {
      long panelFmas = (long) m * NR * k;
      Parallel.forRange(colPanels, (int) Math.max(1, MIN_BLOCK_FMAS / panelFmas),
          (s, e) -> columns(s * NR, Math.min(n, e * NR), false, transA, transB, m, k, alpha,
              a, aOff, lda, gatherA, b, bOff, ldb, gatherB, beta, c, cOff, ldc, epilogue));
    } else {
      columns(0, n, parallel, transA, transB, m, k, alpha, a, aOff, lda, gatherA,
          b, bOff, ldb, gatherB, beta, c, cOff, ldc, epilogue);
    }
  }

  /**
   * Columns {@code [j0, j1)} of C, packing op(B) one {@code KC × NC} block at a time; with
   * {@code parallelRows} the threads share each packed block and split its rows of C. The epilogue (or null) is
   * applied to each block of C after its last k block.
   */
  private static void columns(int j0, int j1, boolean parallelRows, boolean transA,
      boolean transB, int m, int k, float alpha, float[] a, int aOff, int lda, int[] gatherA,
      float[] b, int bOff, int ldb, int[] gatherB, float beta, float[] c, int cOff, int ldc,
      Epilogue epilogue) {
    int kBlocks = (k + KC - 1) / KC;
    int kcMax = (k + kBlocks - 1) / kBlocks;
    float[] bp = BUFFERS.get().packedB(kcMax * Math.min(NC, roundUp(j1 - j0, NR)));
    int rowPanels = (m + MR - 1) / MR;
    boolean direct = !transB && rowPanels <= DIRECT_B_ROW_PANELS;
    for (int jc = j0; jc < j1; jc += NC) {
      int nc = Math.min(NC, j1 - jc);
      int colPanels = (nc + NR - 1) / NR;
      for (int pc = 0; pc < k; pc += kcMax) {
        int kc = Math.min(kcMax, k - pc);
        boolean first = pc == 0;
        Epilogue last = pc + kc == k ? epilogue : null;
        int jcc = jc;
        int pcc = pc;
        int bDirect = direct ? bOff + pc * ldb + jc : -1;
        Parallel.RangeBody pack = (s, e) ->
            packB(transB, b, bOff, ldb, pcc, kc, jcc, nc, s, e, bp, gatherB);
        Parallel.RangeBody compute = (s, e) -> computeRows(s * MR, Math.min(m, e * MR),
            transA, a, aOff, lda, gatherA, pcc, kc, first, jcc, nc, bp, b, bDirect, ldb,
            alpha, beta, c, cOff, ldc, last);
        if (direct) {
          if (nc % NR != 0) {
            pack.run(colPanels - 1, colPanels);
          }
        } else if (parallelRows) {
          Parallel.forRange(colPanels, 4, pack);
        } else {
          pack.run(0, colPanels);
        }
        if (parallelRows) {
          long panelFmas = (long) MR * nc * kc;
          Parallel.forRange(rowPanels, (int) Math.max(1, MIN_BLOCK_FMAS / panelFmas), compute);
        } else {
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
  private static int[] rowGatherIndex(int width, int ld) {
    if (VL % width != 0 || (long) VL * ld > Integer.MAX_VALUE) {
      return null;
    }
    int[] index = new int[VL];
    for (int lane = 0; lane < VL; lane++) {
      index[lane] = (lane / width) * ld + lane % width;
    }
    return index;
  }

  /**
   * Rows {@code [i0, i1)} of C for one {@code kc × nc} block of packed B; {@code i0} is a multiple of MR. The
   * epilogue (null unless this is the last k block) is applied to each {@code MC}-row block as it is finished.
   */
  private static void computeRows(int i0, int i1, boolean transA, float[] a, int aOff, int lda,
      int[] gatherA, int pc, int kc, boolean first, int jc, int nc, float[] bp,
      float[] b, int bDirect, int ldb, float alpha, float beta, float[] c, int cOff, int ldc,
      Epilogue epilogue) {
    Buffers buffers = BUFFERS.get();
    float[] ap = buffers.packedA;
    for (int ic = i0; ic < i1; ic += MC) {
      int mc = Math.min(MC, i1 - ic);
      packA(transA, a, aOff, lda, ic, mc, pc, kc, alpha, ap, gatherA);
      for (int jr = 0; jr < nc; jr += NR) {
        int nr = Math.min(NR, nc - jr);
        boolean inPlace = bDirect >= 0 && nr == NR;
        float[] bPanel = inPlace ? b : bp;
        int bi = inPlace ? bDirect + jr : jr * kc;
        int bStride = inPlace ? ldb : NR;
        for (int ir = 0; ir < mc; ir += MR) {
          int mr = Math.min(MR, mc - ir);
          int ci = cOff + (ic + ir) * ldc + jc + jr;
          if (mr == MR && nr == NR) {
            kernel(kc, ap, ir * kc, bPanel, bi, bStride, c, ci, ldc, beta, first);
          } else {
            edgeTile(kc, ap, ir * kc, bPanel, bi, bStride, c, ci, ldc, mr, nr, beta, first,
                buffers.tile);
          }
        }
      }
      if (epilogue != null) {
        epilogue.apply(c, cOff, ldc, ic, ic + mc, jc, jc + nc);
      }
    }
  }

  /** Packs rows {@code [ic, ic + mc)} × columns {@code [pc, pc + kc)} of {@code alpha·op(A)} into MR-row panels, {@code ap[panel·MR·kc + p·MR + r]}, zero-padded. */
  private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc,
      int pc, int kc, float alpha, float[] ap, int[] gatherA) {
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
            FloatVector.fromArray(S, a, src + p * lda, gatherA, 0).mul(alpha)
                .intoArray(ap, dst + p * MR);
          }
        }
        for (; p < kc; p++) {
          int from = src + p * lda;
          int to = dst + p * MR;
          for (int r = 0; r < MR; r++) {
            ap[to + r] = r < rows ? alpha * a[from + r] : 0;
          }
        }
      } else {
        int src = aOff + i0 * lda + pc;
        int p = 0;
        if (rows == MR && gatherA != null) {
          int step = VL / MR;
          for (; p + step <= kc; p += step) {
            FloatVector.fromArray(S, a, src + p, gatherA, 0).mul(alpha).intoArray(ap, dst + p * MR);
          }
        }
        for (int r = 0; r < MR; r++) {
          int rowSrc = src + r * lda;
          for (int q = p; q < kc; q++) {
            ap[dst + q * MR + r] = r < rows ? alpha * a[rowSrc + q] : 0;
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
   * The micro-kernel: {@code C[MR×NR] = old + Apanel · Bpanel} over {@code kc} steps with the
   * tile held in 16 vector registers, where old is 0 (first k block with beta 0), C, or
   * {@code beta·C} on the first k block.
   *
   * <p>The two starts are two methods, not two branches of one: C2 keeps vectors in registers only
   * while each has one definition, and a tile merged from "zero" and "loaded" branches was seen to
   * run twice as slowly once a program had used both (a training step mixes beta 0 and 1 products).
   */
  private static void kernel(int kc, float[] ap, int ai, float[] bp, int bi, int bStride,
      float[] c, int ci, int ldc, float beta, boolean first) {
    if (first && beta == 0) {
      kernelFromZero(kc, ap, ai, bp, bi, bStride, c, ci, ldc);
    } else {
      kernelFromC(kc, ap, ai, bp, bi, bStride, c, ci, ldc, first ? beta : 1f);
    }
  }

  /** {@link #kernel} with the tile starting at zero. */
  private static void kernelFromZero(int kc, float[] ap, int ai, float[] bp, int bi, int bStride,
      float[] c, int ci, int ldc) {
    FloatVector zero = FloatVector.zero(S);
    FloatVector c00 = zero;
    FloatVector c01 = zero;
    FloatVector c10 = zero;
    FloatVector c11 = zero;
    FloatVector c20 = zero;
    FloatVector c21 = zero;
    FloatVector c30 = zero;
    FloatVector c31 = zero;
    FloatVector c40 = zero;
    FloatVector c41 = zero;
    FloatVector c50 = zero;
    FloatVector c51 = zero;
    FloatVector c60 = zero;
    FloatVector c61 = zero;
    FloatVector c70 = zero;
    FloatVector c71 = zero;
    for (int p = 0; p < kc; p++, ai += MR, bi += bStride) {
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
    c00.intoArray(c, ci + 0 * ldc);
    c01.intoArray(c, ci + 0 * ldc + VL);
    c10.intoArray(c, ci + 1 * ldc);
    c11.intoArray(c, ci + 1 * ldc + VL);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + VL);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + VL);
    c40.intoArray(c, ci + 4 * ldc);
    c41.intoArray(c, ci + 4 * ldc + VL);
    c50.intoArray(c, ci + 5 * ldc);
    c51.intoArray(c, ci + 5 * ldc + VL);
    c60.intoArray(c, ci + 6 * ldc);
    c61.intoArray(c, ci + 6 * ldc + VL);
    c70.intoArray(c, ci + 7 * ldc);
    c71.intoArray(c, ci + 7 * ldc + VL);
  }

  /** {@link #kernel} with the tile starting at {@code scale·C} (scale 1 leaves C exactly as it is). */
  private static void kernelFromC(int kc, float[] ap, int ai, float[] bp, int bi, int bStride,
      float[] c, int ci, int ldc, float scale) {
    FloatVector c00 = FloatVector.fromArray(S, c, ci + 0 * ldc).mul(scale);
    FloatVector c01 = FloatVector.fromArray(S, c, ci + 0 * ldc + VL).mul(scale);
    FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc).mul(scale);
    FloatVector c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + VL).mul(scale);
    FloatVector c20 = FloatVector.fromArray(S, c, ci + 2 * ldc).mul(scale);
    FloatVector c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + VL).mul(scale);
    FloatVector c30 = FloatVector.fromArray(S, c, ci + 3 * ldc).mul(scale);
    FloatVector c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + VL).mul(scale);
    FloatVector c40 = FloatVector.fromArray(S, c, ci + 4 * ldc).mul(scale);
    FloatVector c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + VL).mul(scale);
    FloatVector c50 = FloatVector.fromArray(S, c, ci + 5 * ldc).mul(scale);
    FloatVector c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + VL).mul(scale);
    FloatVector c60 = FloatVector.fromArray(S, c, ci + 6 * ldc).mul(scale);
    FloatVector c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + VL).mul(scale);
    FloatVector c70 = FloatVector.fromArray(S, c, ci + 7 * ldc).mul(scale);
    FloatVector c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + VL).mul(scale);
    for (int p = 0; p < kc; p++, ai += MR, bi += bStride) {
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
    c00.intoArray(c, ci + 0 * ldc);
    c01.intoArray(c, ci + 0 * ldc + VL);
    c10.intoArray(c, ci + 1 * ldc);
    c11.intoArray(c, ci + 1 * ldc + VL);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + VL);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + VL);
    c40.intoArray(c, ci + 4 * ldc);
    c41.intoArray(c, ci + 4 * ldc + VL);
    c50.intoArray(c, ci + 5 * ldc);
    c51.intoArray(c, ci + 5 * ldc + VL);
    c60.intoArray(c, ci + 6 * ldc);
    c61.intoArray(c, ci + 6 * ldc + VL);
    c70.intoArray(c, ci + 7 * ldc);
    c71.intoArray(c, ci + 7 * ldc + VL);
  }

  /** A tile cut by the edge of C, run through the same kernel on a full-size copy so that it rounds exactly as a full tile would. */
  private static void edgeTile(int kc, float[] ap, int ai, float[] bp, int bi, int bStride,
      float[] c, int ci, int ldc, int mr, int nr, float beta, boolean first, float[] tile) {
    for (int r = 0; r < mr; r++) {
      System.arraycopy(c, ci + r * ldc, tile, r * NR, nr);
    }
    kernel(kc, ap, ai, bp, bi, bStride, tile, 0, NR, beta, first);
    for (int r = 0; r < mr; r++) {
      System.arraycopy(tile, r * NR, c, ci + r * ldc, nr);
    }
  }

  private static int roundUp(int x, int multiple) {
    return (x + multiple - 1) / multiple * multiple;
  }
}
