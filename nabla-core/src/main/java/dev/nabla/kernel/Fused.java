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
