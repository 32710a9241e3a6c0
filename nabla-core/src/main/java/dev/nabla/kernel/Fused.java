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
        int from = SIMD ? VectorFused.adam(p, g, m, v, b1, c1, b2, c2, wd, shrink, stepSize, invBc2Sqrt, eps) : 0;
        adamPlain(from, p, g, m, v, b1, c1, b2, c2, wd, shrink, stepSize, invBc2Sqrt, eps);
    }

    /** The plain Java Adam loop from index {@code from} on (the vector path's tail, or everything). */
    static void adamPlain(int from, float[] p, float[] g, float[] m, float[] v, float b1, float c1, float b2,
            float c2, float wd, float shrink, float stepSize, float invBc2Sqrt, float eps) {
        for (int i = from; i < p.length; i++) {
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

    /** Rectified linear unit, out[i] = max(x[i], 0) (NaN stays NaN). */
    public static void relu(float[] x, float[] out, int n) {
        int from = SIMD ? VectorFused.relu(x, out, n) : 0;
        for (int i = from; i < n; i++) {
            out[i] = x[i] > 0 ? x[i] : (x[i] != x[i] ? x[i] : 0f);
        }
    }

    /** Gradient of relu: out[i] = x[i] &gt; 0 ? g[i] : 0. */
    public static void reluBackward(float[] x, float[] g, float[] out, int n) {
        int from = SIMD ? VectorFused.reluBackward(x, g, out, n) : 0;
        for (int i = from; i < n; i++) {
            out[i] = x[i] > 0 ? g[i] : 0f;
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
}
