package dev.nabla.kernel;

/**
 * Fused one-pass loops over whole arrays (optimizer updates, element-wise activations), each with a Vector API
 * path and a plain Java path that compute bit-identical results: the same float operations in the same order.
 * The Vector API path is used when {@link Gemm#simdEnabled()}.
 */
public final class Fused {
    private static final boolean SIMD = Gemm.simdEnabled();

    private Fused() {}

    /**
     * The Adam/AdamW update of one parameter array, with denormal moments flushed to 0:
     * g' = g + wd·p; m = b1·m + c1·g'; v = b2·v + c2·g'²; p = p·shrink − stepSize·m / (√v·invBc2Sqrt + eps).
     */
    public static void adam(float[] p, float[] g, float[] m, float[] v, float b1, float c1, float b2, float c2,
            float wd, float shrink, float stepSize, float invBc2Sqrt, float eps) {
        // Each element's update is independent: split a large array over the threads (same result for any split).
        Parallel.forRange((p.length + ADAM_CHUNK - 1) / ADAM_CHUNK, 1, (s, e) -> {
            int to = Math.min(p.length, e * ADAM_CHUNK);
            int from = s * ADAM_CHUNK;
            from = SIMD ? VectorFused.adam(from, to, p, g, m, v, b1, c1, b2, c2, wd, shrink, stepSize, invBc2Sqrt, eps)
                    : from;
            adamPlain(from, to, p, g, m, v, b1, c1, b2, c2, wd, shrink, stepSize, invBc2Sqrt, eps);
        });
    }

    /** Elements per parallel block of {@link #adam}: about 15 µs of work, well above the cost of a hand-off. */
    private static final int ADAM_CHUNK = 1 << 15;

    /** The plain Java Adam loop over {@code [from, to)} (the vector path's tail, or everything). */
    static void adamPlain(int from, int to, float[] p, float[] g, float[] m, float[] v, float b1, float c1,
            float b2, float c2, float wd, float shrink, float stepSize, float invBc2Sqrt, float eps) {
        for (int i = from; i < to; i++) {
            float pi = p[i];
            float gi = g[i] + wd * pi;
            float mi = b1 * m[i] + c1 * gi;
            float vi = b2 * v[i] + c2 * (gi * gi);
            mi = Math.abs(mi) < Float.MIN_NORMAL ? 0f : mi;
            vi = vi < Float.MIN_NORMAL ? 0f : vi;
            m[i] = mi;
            v[i] = vi;
            p[i] = pi * shrink - stepSize * (mi / ((float) Math.sqrt(vi) * invBc2Sqrt + eps));
        }
    }

    // ---------------------------------------------------------------- exp, sigmoid and tanh in float32
    //
    // Math.exp and Math.tanh cost 40-130 ns a call here, which made every softmax, sigmoid and tanh (the LSTM's
    // gates) slow. These are Cephes's single-precision algorithms (range reduction, then a short polynomial), written
    // once for a scalar and once for a vector with the same float operations in the same order, so the two paths give
    // bit-identical results; error within 2 ulp of the exact value (tested against Math in double precision).

    // The range reduction and the polynomial are FastMath's (the recurrent cells' and softmax's exp); the two
    // differ only at the ends of the range: these run to 0 and ∞ as IEEE exp does (element-wise ops must), FastMath
    // saturates near ±88 and computes its first step with one fused multiply-add, so their last bits differ.
    static final float LOG2E = FastMath.LOG2E;
    static final float ROUNDER = FastMath.ROUND;
    static final int ROUNDER_BITS = FastMath.ROUND_BITS;
    static final float LN2_HI = FastMath.LN2_HI;
    static final float LN2_LO = FastMath.LN2_LO;
    static final float EXP_P0 = FastMath.E0;
    static final float EXP_P1 = FastMath.E1;
    static final float EXP_P2 = FastMath.E2;
    static final float EXP_P3 = FastMath.E3;
    static final float EXP_P4 = FastMath.E4;
    static final float EXP_P5 = FastMath.E5;
    /** Below this exp underflows to 0, above it overflows to ∞ (the clamp keeps the integer part small). */
    static final float EXP_MIN = -104f;
    static final float EXP_MAX = 89f;
    /** tanh uses its odd polynomial below this magnitude, 1 − 2/(e^{2|x|} + 1) above. */
    static final float TANH_SMALL = 0.625f;
    static final float TANH_TINY = 0x1p-12f;
    static final float TANH_P0 = -5.70498872745e-3f;
    static final float TANH_P1 = 2.06390887954e-2f;
    static final float TANH_P2 = -5.37397155531e-2f;
    static final float TANH_P3 = 1.33314422036e-1f;
    static final float TANH_P4 = -3.33332819422e-1f;

    /** e^x in float32 (NaN stays NaN, −∞ gives 0, +∞ gives +∞). */
    public static float exp(float x) {
        float v = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float t = v * LOG2E + ROUNDER;
        float n = t - ROUNDER;
        float r = Math.fma(n, -LN2_HI, v);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(EXP_P0, r, EXP_P1);
        p = Math.fma(p, r, EXP_P2);
        p = Math.fma(p, r, EXP_P3);
        p = Math.fma(p, r, EXP_P4);
        p = Math.fma(p, r, EXP_P5);
        float y = Math.fma(p, r * r, r) + 1f;
        int k = Float.floatToRawIntBits(t) - ROUNDER_BITS; // = (int) n: t is ROUNDER + n, whose ulp is 1
        int k1 = k >> 1;
        return y * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k - k1 + 127) << 23);
    }

    /** The logistic function 1/(1 + e^−x), computed as e/(1 + e) with e = e^x for negative x (no overflow). */
    public static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        float d = 1f + e;
        return x < 0 ? e / d : 1f / d;
    }

    /** Hyperbolic tangent in float32. */
    public static float tanh(float x) {
        float a = Math.abs(x);
        if (a > TANH_SMALL) {
            float t = 1f - 2f / (exp(a + a) + 1f);
            return Math.copySign(t, x);
        }
        if (a < TANH_TINY) {
            return x; // tanh(x) = x − x³/3 + ...: x itself to float precision, and −0 stays −0
        }
        float z = x * x;
        float p = Math.fma(TANH_P0, z, TANH_P1);
        p = Math.fma(p, z, TANH_P2);
        p = Math.fma(p, z, TANH_P3);
        p = Math.fma(p, z, TANH_P4);
        return Math.fma(p * z, x, x);
    }

    /** out[oo + i] = e^{x[xo + i]} for i below n. */
    public static void exp(float[] x, int xo, float[] out, int oo, int n) {
        int from = SIMD ? VectorFused.exp(x, xo, out, oo, n) : 0;
        for (int i = from; i < n; i++) {
            out[oo + i] = exp(x[xo + i]);
        }
    }

    /** out[oo + i] = sigmoid(x[xo + i]) for i below n. */
    public static void sigmoid(float[] x, int xo, float[] out, int oo, int n) {
        int from = SIMD ? VectorFused.sigmoid(x, xo, out, oo, n) : 0;
        for (int i = from; i < n; i++) {
            out[oo + i] = sigmoid(x[xo + i]);
        }
    }

    /** out[oo + i] = tanh(x[xo + i]) for i below n. */
    public static void tanh(float[] x, int xo, float[] out, int oo, int n) {
        int from = SIMD ? VectorFused.tanh(x, xo, out, oo, n) : 0;
        for (int i = from; i < n; i++) {
            out[oo + i] = tanh(x[xo + i]);
        }
    }

    /** Rectified linear unit, out[i] = max(x[i], 0) (NaN stays NaN). */
    public static void relu(float[] x, float[] out, int n) {
        relu(x, 0, out, 0, n);
    }

    /** out[oo + i] = relu(x[xo + i]) for i below n. */
    public static void relu(float[] x, int xo, float[] out, int oo, int n) {
        int from = SIMD ? VectorFused.relu(x, xo, out, oo, n) : 0;
        for (int i = from; i < n; i++) {
            float v = x[xo + i];
            out[oo + i] = v > 0 ? v : (v != v ? v : 0f);
        }
    }

    /** Gradient of relu: out[i] = x[i] &gt; 0 ? g[i] : 0. */
    public static void reluBackward(float[] x, float[] g, float[] out, int n) {
        int from = SIMD ? VectorFused.reluBackward(x, g, out, n) : 0;
        for (int i = from; i < n; i++) {
            out[i] = x[i] > 0 ? g[i] : 0f;
        }
    }

    /** out[oo + j] = act(a[ao + j] + bias) for j in [0, n), act relu (keeping NaN, as {@link #relu}) or the identity. */
    public static void biasRelu(float[] a, int ao, float bias, boolean relu, float[] out, int oo, int n) {
        int from = SIMD ? VectorFused.biasRelu(a, ao, bias, relu, out, oo, n) : 0;
        for (int j = from; j < n; j++) {
            float v = a[ao + j] + bias;
            out[oo + j] = relu && !(v > 0) && v == v ? 0f : v;
        }
    }

    /**
     * c[co + j] = act(c[co + j] + bias[bo + j]) for j in [0, n), in place; without bias (null) only the activation,
     * act relu (keeping NaN, as {@link #relu}) or the identity.
     */
    public static void biasActInPlace(float[] c, int co, float[] bias, int bo, boolean relu, int n) {
        int from = SIMD ? VectorFused.biasActInPlace(c, co, bias, bo, relu, n) : 0;
        for (int j = from; j < n; j++) {
            float v = bias == null ? c[co + j] : c[co + j] + bias[bo + j];
            c[co + j] = relu && !(v > 0) && v == v ? 0f : v;
        }
    }

    /** out[r·cols + j] = a[r·cols + j] + row[j]: a matrix plus a row vector broadcast over its rows (a bias). */
    public static void addRow(float[] a, float[] row, float[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            int from = SIMD ? VectorFused.add(a, o, row, 0, out, o, cols) : 0;
            for (int j = from; j < cols; j++) {
                out[o + j] = a[o + j] + row[j];
            }
        }
    }

    /** a[ao + j] += b[bo + j] for j in [0, n). */
    public static void addTo(float[] a, int ao, float[] b, int bo, int n) {
        int from = SIMD ? VectorFused.add(a, ao, b, bo, a, ao, n) : 0;
        for (int j = from; j < n; j++) {
            a[ao + j] += b[bo + j];
        }
    }

    /** dst[d + i] += src[s + i] for i &lt; n (summing gradients in place). */
    public static void accumulate(float[] dst, int d, float[] src, int s, int n) {
        int from = SIMD ? VectorFused.add(dst, d, src, s, dst, d, n) : 0;
        for (int i = from; i < n; i++) {
            dst[d + i] += src[s + i];
        }
    }

    /**
     * log softmax of each row of the contiguous {@code rows × cols} matrix at {@code x[xOff]}: out = x − (log Σ e^(x−m) + m)
     * with m the row's maximum, e^ by {@link FastMath#exp}, the row summed in order and its log taken in float64.
     */
    public static void logSoftmaxRows(float[] x, int xOff, int rows, int cols, float[] out) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * cols;
            int oi = r * cols;
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                m = Math.max(m, x[xi + j]);
            }
            exp(x, xi, m, out, oi, cols);
            float sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += out[oi + j];
            }
            float c = (float) Math.log(sum) + m;
            int from = SIMD ? VectorFused.subScalar(x, xi, c, out, oi, cols) : 0;
            for (int j = from; j < cols; j++) {
                out[oi + j] = x[xi + j] - c;
            }
        }
    }

    /**
     * The gradient of {@link #logSoftmaxRows} given its output y: dx = g − e^y·Σ g per row (the row summed in order),
     * each element one fused multiply-add.
     */
    public static void logSoftmaxBackwardRows(float[] g, int gOff, float[] y, int yOff, int rows, int cols,
            float[] dx) {
        for (int r = 0; r < rows; r++) {
            int gi = gOff + r * cols;
            int oi = r * cols;
            float sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += g[gi + j];
            }
            exp(y, yOff + r * cols, 0f, dx, oi, cols);
            int from = SIMD ? VectorFused.subScaled(g, gi, dx, oi, sum, dx, oi, cols) : 0;
            for (int j = from; j < cols; j++) {
                dx[oi + j] = Math.fma(-dx[oi + j], sum, g[gi + j]);
            }
        }
    }

    /** dst[d + i] = e^(src[s + i] − shift) for i &lt; n, by {@link FastMath#exp}. */
    private static void exp(float[] src, int s, float shift, float[] dst, int d, int n) {
        if (SIMD) {
            VectorMath.expShifted(src, s, shift, dst, d, n);
        } else {
            for (int i = 0; i < n; i++) {
                dst[d + i] = FastMath.exp(src[s + i] - shift);
            }
        }
    }

    /** acc[j] += Σ_r a[r·cols + j], summing rows in order (the gradient of a bias). */
    public static void sumRows(float[] a, int offset, int rows, int cols, float[] acc) {
        for (int r = 0; r < rows; r++) {
            int o = offset + r * cols;
            int from = SIMD ? VectorFused.add(acc, 0, a, o, acc, 0, cols) : 0;
            for (int j = from; j < cols; j++) {
                acc[j] += a[o + j];
            }
        }
    }

    /**
     * out[k] = Σ_a Σ_b x[offset + (a·mid + k)·inner + b], the sum of x viewed as {@code [outer, mid, inner]} over its
     * first and last dimensions (a bias gradient over N, H, W): each column b summed over a in float, in order, then
     * the columns in order in double. Split over k, so the result does not depend on the thread count.
     */
    public static void sumOuterInner(float[] x, int offset, int outer, int mid, int inner, float[] out) {
        long perK = (long) outer * inner;
        Parallel.forRange(mid, (int) Math.max(1, SUM_GRAIN / Math.max(1, perK)), (k0, k1) -> {
            float[] column = new float[inner];
            for (int k = k0; k < k1; k++) {
                java.util.Arrays.fill(column, 0f);
                for (int a = 0; a < outer; a++) {
                    int o = offset + (a * mid + k) * inner;
                    int from = SIMD ? VectorFused.add(column, 0, x, o, column, 0, inner) : 0;
                    for (int j = from; j < inner; j++) {
                        column[j] += x[o + j];
                    }
                }
                double sum = 0;
                for (float c : column) {
                    sum += c;
                }
                out[k] = (float) sum;
            }
        });
    }

    /** Elements per parallel block of {@link #sumOuterInner}. */
    private static final long SUM_GRAIN = 1 << 16;
}
