package dev.nabla.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API body of {@link Winograd}; loaded only when the {@code jdk.incubator.vector} module is present.
 *
 * <p>Each group of {@code L} samples (L the lanes of a vector) is first copied "to lanes": each channel as a
 * zero-padded plane {@code [hp][wp][L]}, lane l holding sample l, so a 4×4 patch of all L samples is 16 vector
 * loads. All groups are copied first, then the threads take (group, block of tiles) pairs: a block is sized so
 * that its transformed input {@code V [16][in][tiles·L]} and products {@code M [16][out][tiles·L]} stay in the
 * core's L2 cache, and for it run the input transform, then for each ξ the product {@code M_ξ = U_ξᵀ·V_ξ} by an
 * 8 × 3-vector register-blocked kernel (V is already laid out as the kernel reads it, so nothing is packed), then
 * the output transform with its epilogue. The weight gradient puts channels in the lanes instead (see
 * {@link #weightProducts}), so that its sums over tiles are products of the same kind.
 */
final class VectorWinograd {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Rows of M per register tile (output channels); the transformed weights are padded to a multiple. */
  static final int MR = 8;
  /** Vectors (tiles) of M per register tile. */
  private static final int NV = 3;
  /** Floats of V and M that one block of tiles may fill, 768 KB: well within the 2 MB L2 of this machine. */
  private static final int BLOCK_FLOATS = 192 * 1024;
  /**
   * Per thread: the lanes (or channels-last) copy of the input, V, M and the copy of the gradient, used inside the
   * parallel bodies; then two arrays that the calling thread lends to all threads for one call (see
   * {@link #callerScratch}).
   */
  private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[7][0]);

  private VectorWinograd() {}

  /** Samples per group: the lanes of a vector. */
  static int lanes() {
    return L;
  }

  /** {@code n} rounded up to a multiple of {@link #MR}. */
  static int padded(int n) {
    return (n + MR - 1) / MR * MR;
  }

  /**
   * The distance between the 16 matrices of V or M, each {@code size} floats: one cache line more, so that the 16
   * elements a transform reads or writes together do not all fall in the same set of the L1 cache (the CNN's M
   * matrices are 36 KB, a multiple of 4 KB). A precaution: measured against no padding, no difference showed.
   */
  private static int stride(int size) {
    return size + L;
  }

  /**
   * Scratch array {@code 4 + slot} (slot 0 to 2) of the calling thread, for data that the threads of one call share:
   * the transformed weights, the weight gradient's partial products, the lanes copies of all groups. The call fills
   * it before or while its threads read it and is done with it when it returns; nothing keeps it. Its contents on
   * entry are arbitrary.
   */
  static float[] callerScratch(int slot, int size) {
    return scratch(4 + slot, size);
  }

  private static float[] scratch(int slot, int size) {
    float[][] s = SCRATCH.get();
    if (s[slot].length < size) {
      s[slot] = new float[size];
    }
    return s[slot];
  }

  /** {@code {0, stride, 2·stride, ...}}, one entry per lane: where each sample of a group lies. */
  private static int[] laneMap(int stride) {
    int[] map = new int[L];
    for (int l = 0; l < L; l++) {
      map[l] = l * stride;
    }
    return map;
  }

  /**
   * The convolution of x {@code [n, c, h, w]} with transformed weights {@code u [16][c][padded(o)]}, padding
   * {@code ph, pw}, into {@code out} as {@link Winograd#forward} describes (bias, relu, optional 2×2 pooling).
   */
  static void convolve(float[] x, int xOff, int n, int c, int h, int w, int ph, int pw, int oh, int ow, float[] u,
      int o, float[] bias, int biasOff, boolean relu, boolean pool, float[] out, float[] idx) {
    int th = (oh + 1) / 2;
    int tw = (ow + 1) / 2;
    int hp = 2 * th + 2;
    int wp = 2 * tw + 2;
    int tiles = th * tw;
    int np = padded(o);
    int fit = Math.max(1, BLOCK_FLOATS / (16 * (c + np) * L));
    int kb = Math.min(tiles, Math.max(NV, fit / NV * NV));
    int bl = kb * L;
    int vStep = stride(c * bl);
    int mStep = stride(np * bl);
    int[] inMap = laneMap(c * h * w);
    int[] outMap = laneMap(o * (pool ? (oh / 2) * (ow / 2) : oh * ow));
    int groups = (n + L - 1) / L;
    int lanes = c * hp * wp * L;
    int blocks = (tiles + kb - 1) / kb;
    int chunk = Math.max(1, LANES_FLOATS / lanes); // groups whose lanes copies are held at once
    for (int first = 0; first < groups; first += chunk) {
      int g0 = first;
      int count = Math.min(chunk, groups - first);
      float[] xt = callerScratch(2, count * lanes + Alignment.SLACK); // these groups' lanes copies, for all threads
      int xa = Alignment.offset(xt); // stores on cache-line boundaries (see Alignment)
      Parallel.forRange(count * c, Math.max(1, c / 4), (q0, q1) -> { // a group's channels at a time
        for (int q = q0; q < q1; ) {
          int gi = q / c;
          int ch = q % c;
          int chEnd = Math.min(c, ch + (q1 - q));
          int s0 = (g0 + gi) * L;
          toLanes(x, xOff + s0 * c * h * w + ch * h * w, Math.min(L, n - s0), chEnd - ch, h, w, ph, pw, hp, wp,
              inMap, xt, xa + gi * lanes + ch * hp * wp * L);
          q += chEnd - ch;
        }
      });
      // (group, block of tiles) pairs: at batch 64, 4 groups alone left one thread idle while the other finished
      Parallel.forRange(count * blocks, 1, (u0, u1) -> {
        float[] v = scratch(1, 16 * vStep + Alignment.SLACK);
        float[] m = scratch(2, 16 * mStep + Alignment.SLACK);
        int va = Alignment.offset(v);
        int ma = Alignment.offset(m);
        float[] y = new float[4 * L]; // one tile's outputs, y00 y01 y10 y11, between the output transform's steps
        for (int unit = u0; unit < u1; unit++) {
          int gi = unit / blocks;
          int k0 = unit % blocks * kb;
          int k1 = Math.min(tiles, k0 + kb);
          int s0 = (g0 + gi) * L;
          transformInput(xt, xa + gi * lanes, c, hp, wp, tw, k0, k1, v, va, bl, vStep);
          for (int xi = 0; xi < 16; xi++) {
            multiply(u, xi * c * np, np, c, v, va + xi * vStep, bl, k1 - k0, m, ma + xi * mStep);
          }
          transformOutput(m, ma, bl, mStep, o, k0, k1, tw, oh, ow, bias, biasOff, relu, pool, out, idx, s0,
              Math.min(L, n - s0), outMap, y);
        }
      });
    }
  }

  /**
   * Floats of lanes copies that {@link #convolve} holds at once, 8 MB: the groups beyond go in further rounds, so
   * that a large batch does not leave a large array behind on the calling thread.
   */
  private static final int LANES_FLOATS = 1 << 21;

  /**
   * Copies samples {@code [0, count)} of {@code src} ({@code c} planes of {@code h×w} per sample, from
   * {@code off}) into {@code dst [c][hp][wp][L]}, each plane's image at row {@code ph} and column {@code pw}, zeros
   * around it and in the lanes from {@code count} on, from {@code dstOff}. {@code map} is {@code laneMap} of the
   * distance between samples in src (all their channels, where this copies some).
   */
  static void toLanes(float[] src, int off, int count, int c, int h, int w, int ph, int pw, int hp, int wp,
      int[] map, float[] dst, int dstOff) {
    int row = wp * L;
    for (int ch = 0; ch < c; ch++) {
      int plane = dstOff + ch * hp * row;
      Arrays.fill(dst, plane, plane + ph * row, 0f);
      Arrays.fill(dst, plane + (ph + h) * row, plane + hp * row, 0f);
      for (int y = 0; y < h; y++) {
        int at = plane + (ph + y) * row;
        Arrays.fill(dst, at, at + pw * L, 0f);
        Arrays.fill(dst, at + (pw + w) * L, at + row, 0f);
        int from = off + (ch * h + y) * w;
        int to = at + pw * L;
        if (count == L) {
          for (int xx = 0; xx < w; xx++) {
            FloatVector.fromArray(S, src, from + xx, map, 0).intoArray(dst, to + xx * L);
          }
        } else {
          for (int xx = 0; xx < w; xx++) {
            for (int l = 0; l < L; l++) {
              dst[to + xx * L + l] = l < count ? src[from + xx + map[l]] : 0f;
            }
          }
        }
      }
    }
  }

  /**
   * {@code V_ξ = Bᵀ·d·B} for the 4×4 patch d of each tile {@code k0 ≤ k < k1} (tile k at row k / tw, column
   * k % tw) and channel of the lanes copy at {@code xt[xtOff..]}, into {@code v [16][c][bl]} (its 16 matrices
   * {@code step} apart), tile k at lanes {@code (k − k0)·L}.
   */
  static void transformInput(float[] xt, int xtOff, int c, int hp, int wp, int tw, int k0, int k1, float[] v,
      int vOff, int bl, int step) {
    int row = wp * L;
    for (int ch = 0; ch < c; ch++) {
      int plane = xtOff + ch * hp * row;
      for (int k = k0; k < k1; k++) {
        int ty = k / tw;
        int at = plane + 2 * ty * row + 2 * (k - ty * tw) * L;
        int to = vOff + ch * bl + (k - k0) * L;
        for (int i = 0; i < 4; i++) {
          inputRow(xt, at, row, L, i, v, to + 4 * i * step, step);
        }
      }
    }
  }

  /**
   * Row i of {@code Bᵀ·d·B} for the patch at {@code xt[at..]} (its rows {@code row} apart, its columns
   * {@code col}): row i of Bᵀ·d ({@code t = d[first] ± d[second]}),
   * then {@code [t0 − t2, t1 + t2, t2 − t1, t1 − t3]}, stored {@code step} apart. A method of its own, and the
   * transforms' other steps likewise, because C2 stops inlining in a method that grows too large
   * ({@code NodeCountInliningCutoff}), and a Vector API call it does not inline allocates its result: with the
   * whole patch in one method, the transforms took several times longer and allocated gigabytes.
   */
  private static void inputRow(float[] xt, int at, int row, int col, int i, float[] v, int to, int step) {
    int[] r = B_ROWS[i];
    int p = at + r[0] * row;
    int q = at + r[1] * row;
    FloatVector p0 = FloatVector.fromArray(S, xt, p);
    FloatVector p1 = FloatVector.fromArray(S, xt, p + col);
    FloatVector p2 = FloatVector.fromArray(S, xt, p + 2 * col);
    FloatVector p3 = FloatVector.fromArray(S, xt, p + 3 * col);
    FloatVector q0 = FloatVector.fromArray(S, xt, q);
    FloatVector q1 = FloatVector.fromArray(S, xt, q + col);
    FloatVector q2 = FloatVector.fromArray(S, xt, q + 2 * col);
    FloatVector q3 = FloatVector.fromArray(S, xt, q + 3 * col);
    if (r[2] == 1) { // each branch stores its own results: a vector merged from two branches would be boxed
      columns(p0.sub(q0), p1.sub(q1), p2.sub(q2), p3.sub(q3), v, to, step);
    } else {
      columns(p0.add(q0), p1.add(q1), p2.add(q2), p3.add(q3), v, to, step);
    }
  }

  /** A row t of Bᵀ·d times B, {@code [t0 − t2, t1 + t2, t2 − t1, t1 − t3]}, stored {@code step} apart. */
  private static void columns(FloatVector t0, FloatVector t1, FloatVector t2, FloatVector t3, float[] v, int to,
      int step) {
    t0.sub(t2).intoArray(v, to);
    t1.add(t2).intoArray(v, to + step);
    t2.sub(t1).intoArray(v, to + 2 * step);
    t1.sub(t3).intoArray(v, to + 3 * step);
  }

  /**
   * {@code M_ξ[r][tiles·L] = Σ_p U_ξ[p][r]·V_ξ[p][tiles·L]} for all {@code np} rows r, over {@code k} inputs p:
   * u from {@code uOff} with rows np apart, v and m with rows {@code bl} apart; {@code tiles} vectors of L lanes
   * per row, three at a time (two when two or four are left).
   */
  static void multiply(float[] u, int uOff, int np, int k, float[] v, int vOff, int bl, int tiles, float[] m,
      int mOff) {
    for (int r0 = 0; r0 < np; r0 += MR) {
      for (int j = 0; j < tiles; ) {
        int left = tiles - j;
        if (left == 2 || left == 4) {
          kernel2(u, uOff + r0, np, k, v, vOff + j * L, bl, m, mOff + r0 * bl + j * L);
          j += 2;
        } else if (left >= 3) {
          kernel3(u, uOff + r0, np, k, v, vOff + j * L, bl, m, mOff + r0 * bl + j * L);
          j += 3;
        } else {
          kernel1(u, uOff + r0, np, k, v, vOff + j * L, bl, m, mOff + r0 * bl + j * L);
          j++;
        }
      }
    }
  }

  /**
   * {@code Y = Aᵀ·M·A} for each tile {@code k0 ≤ k < k1} and output channel below {@code o}, plus the bias, then
   * relu; stored into samples {@code s0..s0+count} of out {@code [n, o, oh, ow]}, or with {@code pool} its 2×2
   * maximum into out {@code [n, o, oh/2, ow/2]} and the maximum's position into idx. {@code map} is
   * {@code laneMap(o·plane)} for out's planes; {@code y} holds one tile's four output vectors between the steps.
   */
  static void transformOutput(float[] m, int mOff, int bl, int step, int o, int k0, int k1, int tw, int oh, int ow,
      float[] bias, int biasOff, boolean relu, boolean pool, float[] out, float[] idx, int s0, int count, int[] map,
      float[] y) {
    int pw = ow / 2;
    int plane = pool ? (oh / 2) * pw : oh * ow;
    for (int oc = 0; oc < o; oc++) {
      float b = bias == null ? 0f : bias[biasOff + oc];
      int base = (s0 * o + oc) * plane;
      for (int k = k0; k < k1; k++) {
        int ty = k / tw;
        int tx = k - ty * tw;
        outputTile(m, mOff + oc * bl + (k - k0) * L, step, y);
        if (bias != null || relu) {
          biasRelu(y, b, bias != null, relu);
        }
        if (pool) {
          if (ty < oh / 2 && tx < pw) {
            pool(y, 2 * ty * ow + 2 * tx, ow, out, idx, base + ty * pw + tx, map, count);
          }
        } else {
          int at = base + 2 * ty * ow + 2 * tx;
          store(y, 0, out, at, map, count);
          if (2 * tx + 1 < ow) {
            store(y, L, out, at + 1, map, count);
          }
          if (2 * ty + 1 < oh) {
            store(y, 2 * L, out, at + ow, map, count);
            if (2 * tx + 1 < ow) {
              store(y, 3 * L, out, at + ow + 1, map, count);
            }
          }
        }
      }
    }
  }

  /** One tile's {@code Aᵀ·M·A} from {@code m[at + ξ·step]} into {@code y [4][L]}. */
  private static void outputTile(float[] m, int at, int step, float[] y) {
    // Aᵀ·M: s0 = m0 + m1 + m2, s1 = m1 − m2 − m3, column by column
    FloatVector m10 = FloatVector.fromArray(S, m, at + 4 * step);
    FloatVector m20 = FloatVector.fromArray(S, m, at + 8 * step);
    FloatVector s00 = FloatVector.fromArray(S, m, at).add(m10).add(m20);
    FloatVector s10 = m10.sub(m20).sub(FloatVector.fromArray(S, m, at + 12 * step));
    FloatVector m11 = FloatVector.fromArray(S, m, at + 5 * step);
    FloatVector m21 = FloatVector.fromArray(S, m, at + 9 * step);
    FloatVector s01 = FloatVector.fromArray(S, m, at + step).add(m11).add(m21);
    FloatVector s11 = m11.sub(m21).sub(FloatVector.fromArray(S, m, at + 13 * step));
    FloatVector m12 = FloatVector.fromArray(S, m, at + 6 * step);
    FloatVector m22 = FloatVector.fromArray(S, m, at + 10 * step);
    FloatVector s02 = FloatVector.fromArray(S, m, at + 2 * step).add(m12).add(m22);
    FloatVector s12 = m12.sub(m22).sub(FloatVector.fromArray(S, m, at + 14 * step));
    FloatVector m13 = FloatVector.fromArray(S, m, at + 7 * step);
    FloatVector m23 = FloatVector.fromArray(S, m, at + 11 * step);
    FloatVector s03 = FloatVector.fromArray(S, m, at + 3 * step).add(m13).add(m23);
    FloatVector s13 = m13.sub(m23).sub(FloatVector.fromArray(S, m, at + 15 * step));
    // (Aᵀ·M)·A: y0 = s0 + s1 + s2, y1 = s1 − s2 − s3, row by row
    s00.add(s01).add(s02).intoArray(y, 0);
    s01.sub(s02).sub(s03).intoArray(y, L);
    s10.add(s11).add(s12).intoArray(y, 2 * L);
    s11.sub(s12).sub(s13).intoArray(y, 3 * L);
  }

  /** Adds {@code b} to the four vectors of {@code y} (with {@code add}), then relu: max(·, 0), NaN kept, −0 → +0. */
  private static void biasRelu(float[] y, float b, boolean add, boolean relu) {
    for (int i = 0; i < 4 * L; i += L) { // no vector merged from two branches: it would be boxed
      FloatVector v = FloatVector.fromArray(S, y, i);
      if (add && relu) {
        reluInto(v.add(b), y, i);
      } else if (add) {
        v.add(b).intoArray(y, i);
      } else {
        reluInto(v, y, i);
      }
    }
  }

  /** max(v, 0), NaN kept and −0 made +0 as {@code Tensor.relu} does, into {@code y[at..]}. */
  private static void reluInto(FloatVector v, float[] y, int at) {
    FloatVector zero = FloatVector.zero(S);
    v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(y, at);
  }


  /**
   * Lane l of {@code y[from..from+L)} into {@code a[at + map[l]]}, for the first {@code count} lanes (a scatter
   * for a full group).
   */
  private static void store(float[] y, int from, float[] a, int at, int[] map, int count) {
    if (count == L) {
      FloatVector.fromArray(S, y, from).intoArray(a, at, map, 0);
    } else {
      for (int l = 0; l < count; l++) {
        a[at + map[l]] = y[from + l];
      }
    }
  }

  /**
   * The 2×2 maximum of a tile {@code y} (y00 y01 over y10 y11) and its position ({@code first} plus 0, 1, w or
   * w + 1) as {@link MaxPool}'s 2×2 forward finds them: the first maximum of each row, then the lower row only if
   * greater; a lane holding a NaN (or infinities of both signs) as {@link MaxPool}'s general window, the first NaN.
   */
  private static void pool(float[] y, int first, int w, float[] out, float[] idx, int at, int[] map, int count) {
    FloatVector a0 = FloatVector.fromArray(S, y, 0);
    FloatVector a1 = FloatVector.fromArray(S, y, L);
    FloatVector a2 = FloatVector.fromArray(S, y, 2 * L);
    FloatVector a3 = FloatVector.fromArray(S, y, 3 * L);
    VectorMask<Float> topRight = a1.compare(VectorOperators.GT, a0);
    VectorMask<Float> bottomRight = a3.compare(VectorOperators.GT, a2);
    FloatVector top = a0.blend(a1, topRight);
    FloatVector bottom = a2.blend(a3, bottomRight);
    VectorMask<Float> lower = bottom.compare(VectorOperators.GT, top);
    FloatVector shift = FloatVector.zero(S).blend(FloatVector.broadcast(S, 1f), topRight)
        .blend(FloatVector.broadcast(S, w).blend(FloatVector.broadcast(S, w + 1), bottomRight), lower);
    FloatVector sum = a0.add(a1).add(a2).add(a3);
    boolean odd = sum.compare(VectorOperators.NE, sum).anyTrue();
    if (count == L) {
      top.blend(bottom, lower).intoArray(out, at, map, 0);
      shift.add(first).intoArray(idx, at, map, 0);
    } else {
      float[] lanes = new float[2 * L];
      top.blend(bottom, lower).intoArray(lanes, 0);
      shift.add(first).intoArray(lanes, L);
      for (int l = 0; l < count; l++) {
        out[at + map[l]] = lanes[l];
        idx[at + map[l]] = lanes[L + l];
      }
    }
    if (odd) {
      poolOdd(y, first, w, out, idx, at, map, count);
    }
  }

  /** {@link #pool} again, lane by lane, for the lanes whose window holds a NaN or infinities of both signs. */
  private static void poolOdd(float[] y, int first, int w, float[] out, float[] idx, int at, int[] map, int count) {
    int[] pos = {first, first + 1, first + w, first + w + 1};
    for (int l = 0; l < count; l++) {
      float sum = y[l] + y[L + l] + y[2 * L + l] + y[3 * L + l];
      if (sum == sum) {
        continue;
      }
      float best = Float.NEGATIVE_INFINITY;
      int arg = -1;
      for (int i = 0; i < 4; i++) {
        float v = y[i * L + l];
        if (v > best || arg < 0 || v != v) {
          best = v;
          arg = pos[i];
          if (v != v) {
            break;
          }
        }
      }
      out[at + map[l]] = best;
      idx[at + map[l]] = arg;
    }
  }

  /**
   * The weight gradient's products {@code dU_ξ = Σ_tiles (A·∂Y·Aᵀ)_ξ ⊙ V_ξ} of x {@code [n, c, h, w]} (padding
   * {@code ph, pw}) and its output gradient g {@code [n, o, oh, ow]}, as {@code [16][cp][op]}: c and o rounded up
   * by {@link #channels}, the rows and columns beyond them zero.
   *
   * <p>Here the lanes hold channels, not samples: each sample is copied channels-last, x into
   * {@code [hp][wp][cp]} (zero-padded) and g into {@code [2·th][2·tw][op]}, channels rounded up to whole vectors
   * ({@code cp}, {@code op}). The transforms then give, for a block of samples' tiles, {@code V_ξ [tiles][cp]} and
   * {@code ∂M_ξ [tiles][op]}, and each ξ's sum over tiles is the product {@code V_ξᵀ·∂M_ξ} by {@link #multiply}
   * with the tiles as its inner dimension, into {@code [cp][op]}. Each block's products are kept apart and added in
   * block order, so the result does not depend on the thread count.
   */
  static float[] weightProducts(float[] x, int xOff, int n, int c, int h, int w, int ph, int pw, float[] g,
      int gOff, int o, int oh, int ow) {
    int th = (oh + 1) / 2;
    int tw = (ow + 1) / 2;
    int hp = 2 * th + 2;
    int wp = 2 * tw + 2;
    int tiles = th * tw;
    int cp = channels(c);
    int op = channels(o);
    int per = Math.max(1, BLOCK_TILES / tiles); // samples per block
    int blocks = (n + per - 1) / per;
    int rows = per * tiles;
    int vStep = stride(rows * cp);
    int mStep = stride(rows * op);
    int part = 16 * cp * op;
    float[] parts = callerScratch(1, blocks * part); // every element written by multiply
    int[] xMap = laneMap(h * w);
    int[] gMap = laneMap(oh * ow);
    Parallel.forRange(blocks, 1, (b0, b1) -> {
      float[] xs = scratch(0, hp * wp * cp + Alignment.SLACK);
      float[] v = scratch(1, 16 * vStep + Alignment.SLACK);
      float[] dm = scratch(2, 16 * mStep + Alignment.SLACK);
      int va = Alignment.offset(v); // stores on cache-line boundaries (see Alignment)
      int da = Alignment.offset(dm);
      float[] gs = scratch(3, 4 * tiles * op + Alignment.SLACK);
      int xsa = Alignment.offset(xs);
      int gsa = Alignment.offset(gs);
      for (int blk = b0; blk < b1; blk++) {
        int s0 = blk * per;
        int count = Math.min(per, n - s0);
        for (int i = 0; i < count; i++) {
          channelsLast(x, xOff + (s0 + i) * c * h * w, c, h, w, ph, pw, hp, wp, cp, xMap, xs, xsa);
          channelsLast(g, gOff + (s0 + i) * o * oh * ow, o, oh, ow, 0, 0, 2 * th, 2 * tw, op, gMap, gs, gsa);
          for (int k = 0; k < tiles; k++) {
            int ty = k / tw;
            int tx = k - ty * tw;
            int row = i * tiles + k;
            for (int cv = 0; cv < cp; cv += L) {
              int at = xsa + (2 * ty * wp + 2 * tx) * cp + cv;
              for (int r = 0; r < 4; r++) {
                inputRow(xs, at, wp * cp, cp, r, v, va + 4 * r * vStep + row * cp + cv, vStep);
              }
            }
            for (int ov = 0; ov < op; ov += L) {
              int at = gsa + (2 * ty * 2 * tw + 2 * tx) * op + ov;
              for (int r = 0; r < 4; r++) {
                gradientRow(gs, at, 2 * tw * op, op, r, dm, da + 4 * r * mStep + row * op + ov, mStep);
              }
            }
          }
        }
        int k = count * tiles;
        for (int xi = 0; xi < 16; xi++) {
          multiply(v, va + xi * vStep, cp, k, dm, da + xi * mStep, op, op / L, parts, blk * part + xi * cp * op);
        }
      }
    });
    float[] du = new float[part];
    // each element summed over the blocks in block order, in a register: one pass over the partial products
    Parallel.forRange(part / L, 4096 / L, (e0, e1) -> {
      for (int e = e0 * L; e < e1 * L; e += L) {
        FloatVector sum = FloatVector.fromArray(S, parts, e);
        for (int from = part; from < blocks * part; from += part) {
          sum = sum.add(FloatVector.fromArray(S, parts, from + e));
        }
        sum.intoArray(du, e);
      }
    });
    return du;
  }

  /** Channels are rounded up to a multiple of this: whole vectors, and whole register tiles of {@link #MR} rows. */
  private static final int VM = Math.max(L, MR);

  /** {@code n} channels rounded up as {@link #weightProducts} lays them out. */
  static int channels(int n) {
    return (n + VM - 1) / VM * VM;
  }
  /** Tiles per block of the weight gradient: V and ∂M for them take about 1.2 MB for 32 and 64 channels. */
  private static final int BLOCK_TILES = 196;

  /**
   * One sample {@code src[off..]} of {@code c} planes {@code h×w} into {@code dst [hp][wp][cp]} from {@code dstOff},
   * channels last (map from {@code laneMap(h·w)}), the image at row {@code ph} and column {@code pw}, zeros around it.
   * Channels c to cp keep whatever the array held: each reaches only its own row (or column) of the products, which
   * {@link Winograd#backwardWeight} never reads.
   */
  static void channelsLast(float[] src, int off, int c, int h, int w, int ph, int pw, int hp, int wp, int cp,
      int[] map, float[] dst, int dstOff) {
    int row = wp * cp;
    // zeros where the image does not reach, only there: the output gradient, unpadded, has no such place
    Arrays.fill(dst, dstOff, dstOff + ph * row, 0f);
    Arrays.fill(dst, dstOff + (ph + h) * row, dstOff + hp * row, 0f);
    int plane = h * w; // map is laneMap(plane): a gather of L channels, 2-4 times faster than scalar copies
    for (int y = 0; y < h; y++) {
      int at = dstOff + (ph + y) * row;
      Arrays.fill(dst, at, at + pw * cp, 0f);
      Arrays.fill(dst, at + (pw + w) * cp, at + row, 0f);
      for (int xx = 0; xx < w; xx++) {
        int from = off + y * w + xx;
        int to = at + (pw + xx) * cp;
        int cv = 0;
        for (; cv + L <= c; cv += L) {
          FloatVector.fromArray(S, src, from + cv * plane, map, 0).intoArray(dst, to + cv);
        }
        for (; cv < c; cv++) {
          dst[to + cv] = src[from + cv * plane];
        }
      }
    }
  }



  /** Row {@code i} of Bᵀ (and of B's columns, read as rows) as {first, second, subtract}: v[first] ± v[second]. */
  private static final int[][] B_ROWS = {{0, 2, 1}, {1, 2, 0}, {2, 1, 1}, {1, 3, 1}};

  /**
   * Row i of {@code A·∂Y·Aᵀ} for the 2×2 gradient tile at {@code gs[at..]} (rows {@code row} apart, columns
   * {@code col}), stored {@code step} apart. Row i of A is {@code (1, 0), (1, 1), (1, −1), (0, −1)}.
   */
  private static void gradientRow(float[] gs, int at, int row, int col, int i, float[] dm, int to, int step) {
    FloatVector g00 = FloatVector.fromArray(S, gs, at);
    FloatVector g01 = FloatVector.fromArray(S, gs, at + col);
    FloatVector g10 = FloatVector.fromArray(S, gs, at + row);
    FloatVector g11 = FloatVector.fromArray(S, gs, at + row + col);
    switch (i) { // each case stores its own results: a vector merged from several branches would be boxed
      case 0 -> gradientColumns(g00, g01, dm, to, step);
      case 1 -> gradientColumns(g00.add(g10), g01.add(g11), dm, to, step);
      case 2 -> gradientColumns(g00.sub(g10), g01.sub(g11), dm, to, step);
      default -> gradientColumns(g10.neg(), g11.neg(), dm, to, step);
    }
  }

  /** A row (r0, r1) of A·∂Y times Aᵀ, {@code [r0, r0 + r1, r0 − r1, −r1]}, stored {@code step} apart. */
  private static void gradientColumns(FloatVector r0, FloatVector r1, float[] dm, int to, int step) {
    r0.intoArray(dm, to);
    r0.add(r1).intoArray(dm, to + step);
    r0.sub(r1).intoArray(dm, to + 2 * step);
    r1.neg().intoArray(dm, to + 3 * step);
  }

  /** {@link #multiply} for one 8-row, 2-vector tile of M. */
  private static void kernel2(float[] u, int ui, int np, int k, float[] v, int vi, int bl, float[] m,
      int mi) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S);
    FloatVector c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S);
    FloatVector c71 = FloatVector.zero(S);
    for (int p = 0; p < k; p++, ui += np, vi += bl) {
      FloatVector b0 = FloatVector.fromArray(S, v, vi);
      FloatVector b1 = FloatVector.fromArray(S, v, vi + 1 * L);
      FloatVector a = FloatVector.broadcast(S, u[ui]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = FloatVector.broadcast(S, u[ui + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = FloatVector.broadcast(S, u[ui + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = FloatVector.broadcast(S, u[ui + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = FloatVector.broadcast(S, u[ui + 4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = FloatVector.broadcast(S, u[ui + 5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
      a = FloatVector.broadcast(S, u[ui + 6]);
      c60 = a.fma(b0, c60);
      c61 = a.fma(b1, c61);
      a = FloatVector.broadcast(S, u[ui + 7]);
      c70 = a.fma(b0, c70);
      c71 = a.fma(b1, c71);
    }
    c00.intoArray(m, mi);
    c01.intoArray(m, mi + 1 * L);
    c10.intoArray(m, mi + 1 * bl);
    c11.intoArray(m, mi + 1 * bl + 1 * L);
    c20.intoArray(m, mi + 2 * bl);
    c21.intoArray(m, mi + 2 * bl + 1 * L);
    c30.intoArray(m, mi + 3 * bl);
    c31.intoArray(m, mi + 3 * bl + 1 * L);
    c40.intoArray(m, mi + 4 * bl);
    c41.intoArray(m, mi + 4 * bl + 1 * L);
    c50.intoArray(m, mi + 5 * bl);
    c51.intoArray(m, mi + 5 * bl + 1 * L);
    c60.intoArray(m, mi + 6 * bl);
    c61.intoArray(m, mi + 6 * bl + 1 * L);
    c70.intoArray(m, mi + 7 * bl);
    c71.intoArray(m, mi + 7 * bl + 1 * L);
  }

  /** {@link #multiply} for one 8-row, 3-vector tile of M. */
  private static void kernel3(float[] u, int ui, int np, int k, float[] v, int vi, int bl, float[] m,
      int mi) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c02 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c12 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c22 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c32 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c42 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    FloatVector c52 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S);
    FloatVector c61 = FloatVector.zero(S);
    FloatVector c62 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S);
    FloatVector c71 = FloatVector.zero(S);
    FloatVector c72 = FloatVector.zero(S);
    for (int p = 0; p < k; p++, ui += np, vi += bl) {
      FloatVector b0 = FloatVector.fromArray(S, v, vi);
      FloatVector b1 = FloatVector.fromArray(S, v, vi + 1 * L);
      FloatVector b2 = FloatVector.fromArray(S, v, vi + 2 * L);
      FloatVector a = FloatVector.broadcast(S, u[ui]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      c02 = a.fma(b2, c02);
      a = FloatVector.broadcast(S, u[ui + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      c12 = a.fma(b2, c12);
      a = FloatVector.broadcast(S, u[ui + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      c22 = a.fma(b2, c22);
      a = FloatVector.broadcast(S, u[ui + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      c32 = a.fma(b2, c32);
      a = FloatVector.broadcast(S, u[ui + 4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      c42 = a.fma(b2, c42);
      a = FloatVector.broadcast(S, u[ui + 5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
      c52 = a.fma(b2, c52);
      a = FloatVector.broadcast(S, u[ui + 6]);
      c60 = a.fma(b0, c60);
      c61 = a.fma(b1, c61);
      c62 = a.fma(b2, c62);
      a = FloatVector.broadcast(S, u[ui + 7]);
      c70 = a.fma(b0, c70);
      c71 = a.fma(b1, c71);
      c72 = a.fma(b2, c72);
    }
    c00.intoArray(m, mi);
    c01.intoArray(m, mi + 1 * L);
    c02.intoArray(m, mi + 2 * L);
    c10.intoArray(m, mi + 1 * bl);
    c11.intoArray(m, mi + 1 * bl + 1 * L);
    c12.intoArray(m, mi + 1 * bl + 2 * L);
    c20.intoArray(m, mi + 2 * bl);
    c21.intoArray(m, mi + 2 * bl + 1 * L);
    c22.intoArray(m, mi + 2 * bl + 2 * L);
    c30.intoArray(m, mi + 3 * bl);
    c31.intoArray(m, mi + 3 * bl + 1 * L);
    c32.intoArray(m, mi + 3 * bl + 2 * L);
    c40.intoArray(m, mi + 4 * bl);
    c41.intoArray(m, mi + 4 * bl + 1 * L);
    c42.intoArray(m, mi + 4 * bl + 2 * L);
    c50.intoArray(m, mi + 5 * bl);
    c51.intoArray(m, mi + 5 * bl + 1 * L);
    c52.intoArray(m, mi + 5 * bl + 2 * L);
    c60.intoArray(m, mi + 6 * bl);
    c61.intoArray(m, mi + 6 * bl + 1 * L);
    c62.intoArray(m, mi + 6 * bl + 2 * L);
    c70.intoArray(m, mi + 7 * bl);
    c71.intoArray(m, mi + 7 * bl + 1 * L);
    c72.intoArray(m, mi + 7 * bl + 2 * L);
  }

  /** {@link #multiply} for one 8-row, 1-vector tile of M. */
  private static void kernel1(float[] u, int ui, int np, int k, float[] v, int vi, int bl, float[] m,
      int mi) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S);
    for (int p = 0; p < k; p++, ui += np, vi += bl) {
      FloatVector b0 = FloatVector.fromArray(S, v, vi);
      FloatVector a = FloatVector.broadcast(S, u[ui]);
      c00 = a.fma(b0, c00);
      a = FloatVector.broadcast(S, u[ui + 1]);
      c10 = a.fma(b0, c10);
      a = FloatVector.broadcast(S, u[ui + 2]);
      c20 = a.fma(b0, c20);
      a = FloatVector.broadcast(S, u[ui + 3]);
      c30 = a.fma(b0, c30);
      a = FloatVector.broadcast(S, u[ui + 4]);
      c40 = a.fma(b0, c40);
      a = FloatVector.broadcast(S, u[ui + 5]);
      c50 = a.fma(b0, c50);
      a = FloatVector.broadcast(S, u[ui + 6]);
      c60 = a.fma(b0, c60);
      a = FloatVector.broadcast(S, u[ui + 7]);
      c70 = a.fma(b0, c70);
    }
    c00.intoArray(m, mi);
    c10.intoArray(m, mi + 1 * bl);
    c20.intoArray(m, mi + 2 * bl);
    c30.intoArray(m, mi + 3 * bl);
    c40.intoArray(m, mi + 4 * bl);
    c50.intoArray(m, mi + 5 * bl);
    c60.intoArray(m, mi + 6 * bl);
    c70.intoArray(m, mi + 7 * bl);
  }
}
