package dev.nabla.kernel;

/**
 * Max pooling of consecutive {@code h×w} planes: each window's maximum, and its position in the plane for the
 * backward pass. The maximum is the first one in row-major order at ties (−0 and +0 tie), and a window holding a
 * NaN gives its first NaN, so NaN propagates. Padding counts as −∞.
 *
 * <p>The common 2×2 window with stride 2 and no padding has its own forward, with a Vector API path and a plain Java
 * path that give identical results; the Vector API path is used when {@link Gemm#simdEnabled()}.
 */
public final class MaxPool {
    private static final boolean SIMD = Gemm.simdEnabled();

    private MaxPool() {}

    /** Window size, stride and padding of a pooling over {@code h×w} planes. */
    public record Geometry(int h, int w, int kh, int kw, int sh, int sw, int ph, int pw) {
        /** Output height, ⌊(h + 2ph − kh)/sh⌋ + 1. */
        public int oh() {
            return (h + 2 * ph - kh) / sh + 1;
        }

        /** Output width, ⌊(w + 2pw − kw)/sw⌋ + 1. */
        public int ow() {
            return (w + 2 * pw - kw) / sw + 1;
        }

        /** True for 2×2 windows with stride 2 and no padding, the case with a fast path. */
        public boolean isTwoByTwo() {
            return kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
        }
    }

    /**
     * Pools {@code planes} planes {@code x[xOff..]} into {@code out[outOff..]} ({@code oh·ow} per plane), with each
     * maximum's position in its plane in {@code idx[outOff..]}.
     */
    public static void forward(Geometry g, float[] x, int xOff, int planes, float[] out, float[] idx, int outOff) {
        if (g.isTwoByTwo()) {
            if (SIMD) {
                VectorMaxPool.forward2x2(g.h, g.w, x, xOff, planes, out, idx, outOff);
            } else {
                forward2x2Plain(g.h, g.w, x, xOff, out, idx, outOff, 0, planes * g.oh() * g.ow());
            }
            return;
        }
        int oh = g.oh();
        int ow = g.ow();
        for (int q = 0; q < planes; q++) {
            int in = xOff + q * g.h * g.w;
            for (int y = 0; y < oh; y++) {
                for (int xx = 0; xx < ow; xx++) {
                    window(x, in, g.h, g.w, y * g.sh - g.ph, xx * g.sw - g.pw, g.kh, g.kw, out, idx,
                            outOff + (q * oh + y) * ow + xx);
                }
            }
        }
    }

    /** Elements past the planes that {@link #gradientPlanes} may write when told there is room. */
    public static final int ROOM = 16;

    /**
     * {@code count} consecutive planes of max pooling's gradient, plane q at {@code out[outOff + q·h·w..]} from the
     * pooled plane q at {@code g[gAt + q·oh·ow..]}: +0 everywhere, then {@link #scatterGradient}; with {@code column},
     * also {@code column[colOff + j] += } each plane's element j, plane after plane. {@code g}, {@code idx} and
     * {@code mask} (null for none) share the pooled planes' layout from their offsets. With {@code room}, {@code out}
     * has {@link #ROOM} elements past the last plane that may be overwritten; without, nothing outside the planes is
     * written (another thread may own the next plane).
     *
     * <p>For 2×2 windows with stride 2 the Vector API path builds the planes without scattering, same values, when
     * {@code column} has {@link #ROOM} elements past a plane; the planes whose pooled values lack as many elements
     * after them in {@code g}, {@code idx} and {@code mask} (the array's last ones), and a batch whose gradient holds a
     * NaN or an infinity (the Vector API does not always keep a NaN's payload), are scattered.
     */
    public static void gradientPlanes(Geometry geo, int count, float[] g, int gAt, float[] idx, int idxAt,
            float[] mask, int maskAt, float[] out, int outOff, float[] column, int colOff, boolean room) {
        int plane = geo.h * geo.w;
        int outPlane = geo.oh() * geo.ow();
        int vectors = 0;
        if (SIMD && geo.isTwoByTwo() && ROOM >= VectorMaxPool.length()
                && (column == null || colOff + plane + ROOM <= column.length)) {
            vectors = count;
            while (vectors > 0 && !(gAt + vectors * outPlane + ROOM <= g.length
                    && idxAt + vectors * outPlane + ROOM <= idx.length
                    && (mask == null || maskAt + vectors * outPlane + ROOM <= mask.length))) {
                vectors--;
            }
            if (vectors > 0 && VectorMaxPool.hasNonFinite(g, gAt, vectors * outPlane)) {
                vectors = 0;
            }
            if (vectors > 0) { // a plane scattered after them overwrites what runs into it
                VectorMaxPool.gradientPlanes2x2(geo.h, geo.w, vectors, g, gAt, idx, idxAt, mask, maskAt, out, outOff,
                        column, colOff, room || vectors < count);
            }
        }
        for (int q = vectors; q < count; q++) {
            int o = outOff + q * plane;
            java.util.Arrays.fill(out, o, o + plane, 0f);
            scatterGradient(g, gAt + q * outPlane, idx, idxAt + q * outPlane, mask, maskAt + q * outPlane, outPlane,
                    out, o);
            for (int j = 0; column != null && j < plane; j++) {
                column[colOff + j] += out[o + j];
            }
        }
    }

    /**
     * The backward pass of one pooled plane: {@code out[outOff + idx[at + i]] += g[gAt + i]} for {@code i < count} in
     * order, or, with {@code mask} (a relu's output, the pooled values), {@code +0} instead where
     * {@code mask[maskAt + i]} is not positive (NaN included). Adding +0 leaves a sum as skipping would (it starts
     * at +0 and so never is −0); the mask is applied without a branch, which a random mask mispredicts half the time
     * (7× slower here).
     */
    public static void scatterGradient(float[] g, int gAt, float[] idx, int at, float[] mask, int maskAt, int count,
            float[] out, int outOff) {
        if (mask == null) {
            for (int i = 0; i < count; i++) {
                out[outOff + (int) idx[at + i]] += g[gAt + i];
            }
            return;
        }
        for (int i = 0; i < count; i++) {
            out[outOff + (int) idx[at + i]] += Float.intBitsToFloat(Float.floatToRawIntBits(g[gAt + i])
                    & positive(mask[maskAt + i]));
        }
    }

    /**
     * All ones when {@code v > 0}, else 0, without a branch: the bits of a positive float (+∞ included) lie in
     * [1, 0x7F800000]; zeros, negatives and NaN lie outside, as unsigned numbers.
     */
    static int positive(float v) {
        long below = ((Float.floatToRawIntBits(v) - 1) & 0xFFFFFFFFL) - 0x7F800000L; // < 0 exactly when positive
        return (int) (below >> 63);
    }

    /** {@link #forward(Geometry, float[], int, int, float[], float[], int)} in double precision (plain loops). */
    public static void forward(Geometry g, double[] x, int xOff, int planes, double[] out, double[] idx,
            int outOff) {
        int oh = g.oh();
        int ow = g.ow();
        for (int q = 0; q < planes; q++) {
            int in = xOff + q * g.h * g.w;
            for (int y = 0; y < oh; y++) {
                int y0 = y * g.sh - g.ph;
                for (int xx = 0; xx < ow; xx++) {
                    int x0 = xx * g.sw - g.pw;
                    double best = Double.NEGATIVE_INFINITY;
                    int arg = -1;
                    search:
                    for (int i = Math.max(0, y0); i < Math.min(g.h, y0 + g.kh); i++) {
                        for (int j = Math.max(0, x0); j < Math.min(g.w, x0 + g.kw); j++) {
                            double v = x[in + i * g.w + j];
                            if (v > best || arg < 0 || v != v) {
                                best = v;
                                arg = i * g.w + j;
                                if (v != v) {
                                    break search;
                                }
                            }
                        }
                    }
                    out[outOff + (q * oh + y) * ow + xx] = best;
                    idx[outOff + (q * oh + y) * ow + xx] = arg;
                }
            }
        }
    }

    /** The maximum of the window at (y0, x0) of a plane and its position: the first maximum, or the first NaN. */
    private static void window(float[] x, int in, int h, int w, int y0, int x0, int kh, int kw, float[] out,
            float[] idx, int at) {
        float best = Float.NEGATIVE_INFINITY;
        int arg = -1;
        search:
        for (int i = Math.max(0, y0); i < Math.min(h, y0 + kh); i++) {
            for (int j = Math.max(0, x0); j < Math.min(w, x0 + kw); j++) {
                float v = x[in + i * w + j];
                if (v > best || arg < 0 || v != v) {
                    best = v;
                    arg = i * w + j;
                    if (v != v) {
                        break search;
                    }
                }
            }
        }
        out[at] = best;
        idx[at] = arg;
    }

    /** An int that orders as the float does (for non-NaN values; −0 and +0 equal): its bits, negatives flipped. */
    private static int orderKey(float v) {
        int bits = Float.floatToRawIntBits(v + 0.0f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /**
     * The plain 2×2 forward over outputs {@code [from, to)} counted from the first plane: the first maximum of each
     * window row, then the greater of the two (the upper one at a tie); a window with a NaN goes to {@link #window}.
     */
    static void forward2x2Plain(int h, int w, float[] x, int xOff, float[] out, float[] idx, int outOff, int from,
            int to) {
        int ow = w / 2;
        int outPlane = (h / 2) * ow;
        int q = from / outPlane;
        int y = from % outPlane / ow;
        int xx = from % ow;
        for (int o = from; o < to; o++) {
            int in = xOff + q * h * w;
            int p = 2 * y * w + 2 * xx;
            float a0 = x[in + p];
            float a1 = x[in + p + 1];
            float a2 = x[in + p + w];
            float a3 = x[in + p + w + 1];
            if (a0 + a1 + a2 + a3 != a0 + a1 + a2 + a3) { // a NaN, or infinities of both signs
                window(x, in, h, w, 2 * y, 2 * xx, 2, 2, out, idx, outOff + o);
            } else {
                // branch-free on order-preserving integer keys: float comparisons compile to branches, and these
                // are unpredictable; m = 1 where the later element is strictly greater
                int k0 = orderKey(a0);
                int k1 = orderKey(a1);
                int k2 = orderKey(a2);
                int k3 = orderKey(a3);
                int m1 = (int) (((long) k0 - k1) >>> 63);
                int m2 = (int) (((long) k2 - k3) >>> 63);
                int top = k0 ^ ((k0 ^ k1) & -m1);
                int bottom = k2 ^ ((k2 ^ k3) & -m2);
                int m = (int) (((long) top - bottom) >>> 63);
                int arg = p + m1;
                arg ^= (arg ^ (p + w + m2)) & -m;
                out[outOff + o] = x[in + arg];
                idx[outOff + o] = arg;
            }
            if (++xx == ow) {
                xx = 0;
                if (++y == h / 2) {
                    y = 0;
                    q++;
                }
            }
        }
    }
}
