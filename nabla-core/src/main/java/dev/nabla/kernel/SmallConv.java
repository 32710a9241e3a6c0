package dev.nabla.kernel;

/**
 * The forward product and the weight gradient of a convolution whose column matrix has few rows ({@code C·kh·kw} up
 * to {@link #MAX_ROWS}: a first layer over images of one to three channels), computed directly from each sample's
 * columns. A GEMM with so short an inner (forward) or outer (weight gradient) dimension spends its time packing and
 * writes a block layout that must be copied out again; these write the result in place.
 *
 * <p>Each has a Vector API path and a plain Java path that give identical results: the same fused multiply-adds in
 * the same order. The Vector API path is used when {@link Gemm#simdEnabled()}.
 */
public final class SmallConv {
    /** The most column-matrix rows this path takes: 3 channels × 3×3. */
    public static final int MAX_ROWS = 27;

    private static final boolean SIMD = Gemm.simdEnabled();
    /** The vector length that the partial sums of {@link #weightGrad} follow, on either path. */
    static final int VECTOR = SIMD ? VectorSmallConv.length() : 8;

    private SmallConv() {}

    /**
     * For each of {@code samples} images {@code x[xOff + s·xStride..]}: {@code y[yOff + s·yStride + ch·P + j] =
     * act(Σ_r w[wOff + ch·rows + r]·cols[r][j] + bias[biasOff + ch])} for {@code ch < m}, {@code j < P = oh·ow},
     * where cols is the image's column matrix, the sum a chain of fused multiply-adds in r order, the bias added
     * after (none when {@code bias} is null) and act the identity or, with {@code relu}, max(·, 0) keeping NaN.
     */
    public static void forward(Im2col.Geometry geo, float[] x, int xOff, int xStride, int samples, float[] w,
            int wOff, int m, float[] bias, int biasOff, boolean relu, float[] y, int yOff, int yStride) {
        int rows = geo.rows();
        int p = geo.cols();
        float[] cols = new float[rows * p];
        for (int s = 0; s < samples; s++) {
            Im2col.im2col(geo, x, xOff + s * xStride, cols, 0);
            int at = yOff + s * yStride;
            int ch = 0;
            for (; SIMD && ch + 2 <= m; ch += 2) { // two channels share each load of the columns
                float b0 = bias == null ? 0f : bias[biasOff + ch];
                float b1 = bias == null ? 0f : bias[biasOff + ch + 1];
                int from = VectorSmallConv.forwardRow2(p, rows, w, wOff + ch * rows, wOff + (ch + 1) * rows, cols,
                        bias != null, b0, b1, relu, y, at + ch * p, at + (ch + 1) * p);
                for (int c2 = ch; c2 < ch + 2; c2++) {
                    float b = bias == null ? 0f : bias[biasOff + c2];
                    int rest = VectorSmallConv.forwardRow(from, p, rows, w, wOff + c2 * rows, cols, bias != null, b,
                            relu, y, at + c2 * p);
                    forwardRowPlain(rest, p, rows, w, wOff + c2 * rows, cols, bias != null, b, relu, y, at + c2 * p);
                }
            }
            for (; ch < m; ch++) {
                float b = bias == null ? 0f : bias[biasOff + ch];
                int from = SIMD ? VectorSmallConv.forwardRow(0, p, rows, w, wOff + ch * rows, cols, bias != null, b,
                        relu, y, at + ch * p) : 0;
                forwardRowPlain(from, p, rows, w, wOff + ch * rows, cols, bias != null, b, relu, y, at + ch * p);
            }
        }
    }

    /** One output row of {@link #forward} over columns {@code [from, p)}. */
    static void forwardRowPlain(int from, int p, int rows, float[] w, int wOff, float[] cols, boolean hasBias,
            float b, boolean relu, float[] y, int yOff) {
        for (int j = from; j < p; j++) {
            float acc = w[wOff] * cols[j];
            for (int r = 1; r < rows; r++) {
                acc = Math.fma(w[wOff + r], cols[r * p + j], acc);
            }
            acc = hasBias ? acc + b : acc;
            y[yOff + j] = relu ? Math.max(acc, 0f) : acc;
        }
    }

    /**
     * The weight gradient over {@code samples} images and output gradients {@code g[gOff + s·gStride..]} ({@code m}
     * rows of P): {@code dw[dwOff + ch·rows + r] = Σ_s Σ_j g[s][ch·P + j]·cols_s[r][j]}, overwritten. Each sum runs
     * in 4·{@link #VECTOR} interleaved partial sums (j goes to partial sum j mod 4·VECTOR) over the whole vectors of
     * the P columns, and one more over the rest, as fused multiply-adds with samples and columns in order; then the
     * partial sums are added in order.
     */
    public static void weightGrad(Im2col.Geometry geo, float[] x, int xOff, int xStride, int samples, float[] g,
            int gOff, int gStride, int m, float[] dw, int dwOff) {
        weightGrad(SIMD, VECTOR, geo, x, xOff, xStride, samples, g, gOff, gStride, m, dw, dwOff);
    }

    /** {@link #weightGrad} on the plain path for the given vector length (tests compare it with the vector path). */
    static void weightGradPlain(int vector, Im2col.Geometry geo, float[] x, int xOff, int xStride, int samples,
            float[] g, int gOff, int gStride, int m, float[] dw, int dwOff) {
        weightGrad(false, vector, geo, x, xOff, xStride, samples, g, gOff, gStride, m, dw, dwOff);
    }

    private static void weightGrad(boolean simd, int vector, Im2col.Geometry geo, float[] x, int xOff, int xStride,
            int samples, float[] g, int gOff, int gStride, int m, float[] dw, int dwOff) {
        int rows = geo.rows();
        int p = geo.cols();
        float[] cols = new float[rows * p];
        float[] partial = new float[m * rows * (4 * vector + 1)]; // per (ch, r): the lanes, then the tail
        for (int s = 0; s < samples; s++) {
            Im2col.im2col(geo, x, xOff + s * xStride, cols, 0);
            for (int ch = 0; ch < m; ch++) {
                accumulate(simd, vector, rows, p, g, gOff + s * gStride + ch * p, cols, 0, partial, ch);
            }
        }
        finish(vector, m * rows, partial, dw, dwOff);
    }

    /**
     * {@link #weightGrad} and the bias gradient of a convolution followed by max pooling, from the pooled gradient
     * alone: each sample's output gradient is built one channel's plane at a time by
     * {@link MaxPool#gradientPlanes} (the pooled gradient {@code g} at the argmax positions {@code idx}, where the
     * pooled output {@code pooled} is positive when it is given, a relu's mask), and used while it is in the cache;
     * the full-size gradient is never written.
     * The samples' column matrices are given, {@code cols[colsOff + s·colsStride..]}, built once for all the blocks
     * of channels that a parallel loop gives this. The weight gradient equals {@link #weightGrad} over the full-size
     * gradient bit for bit; the bias gradient {@code db[dbOff + ch]} is its sum over samples and positions as
     * {@link Fused#sumOuterInner} adds it (per position over samples in order, in float, then over positions in
     * double). {@code g}, {@code idx} and {@code pooled} share one layout: sample s, channel ch at {@code s·gStride +
     * ch·outPlane} from their offsets, outPlane the pooled plane's size. {@code db} may be null (no bias).
     */
    public static void weightGradPooled(Im2col.Geometry geo, MaxPool.Geometry pool, float[] cols, int colsOff,
            int colsStride, int samples, float[] g, int gOff, float[] idx, int idxOff, float[] pooled, int pooledOff,
            int gStride, int m, float[] dw, int dwOff, float[] db, int dbOff) {
        int rows = geo.rows();
        int p = geo.cols();
        int outPlane = pool.oh() * pool.ow();
        float[] plane = new float[p + MaxPool.ROOM];
        float[] partial = new float[m * rows * (4 * VECTOR + 1)];
        float[] column = db == null ? null : new float[m * p + MaxPool.ROOM];
        for (int s = 0; s < samples; s++) {
            for (int ch = 0; ch < m; ch++) {
                int at = s * gStride + ch * outPlane;
                MaxPool.gradientPlanes(pool, 1, g, gOff + at, idx, idxOff + at, pooled, pooledOff + at, plane, 0,
                        column, ch * p, true);
                accumulate(SIMD, VECTOR, rows, p, plane, 0, cols, colsOff + s * colsStride, partial, ch);
            }
        }
        finish(VECTOR, m * rows, partial, dw, dwOff);
        for (int ch = 0; column != null && ch < m; ch++) {
            double sum = 0;
            for (int j = 0; j < p; j++) {
                sum += column[ch * p + j];
            }
            db[dbOff + ch] = (float) sum;
        }
    }

    /**
     * Adds one sample's products for channel {@code ch} (its output gradient row {@code g[gRow..gRow + p)}) to the
     * partial sums of {@link #weightGrad}: per column-matrix row, 4·vector interleaved sums over the whole vectors of
     * the p columns, then the tail.
     */
    private static void accumulate(boolean simd, int vector, int rows, int p, float[] g, int gRow, float[] cols,
            int colsOff, float[] partial, int ch) {
        int lanes = 4 * vector;
        int bound = p - p % vector;
        int r = 0;
        for (; simd && r + 3 <= rows; r += 3) { // three rows share each load of g
            VectorSmallConv.accumulate3(bound, g, gRow, cols, colsOff + r * p, p, partial,
                    (ch * rows + r) * (lanes + 1), lanes + 1);
        }
        for (; r < rows; r++) {
            int at = (ch * rows + r) * (lanes + 1);
            if (simd) {
                VectorSmallConv.accumulate(bound, g, gRow, cols, colsOff + r * p, partial, at);
            } else {
                for (int j = 0; j < bound; j++) {
                    partial[at + j % lanes] = Math.fma(g[gRow + j], cols[colsOff + r * p + j],
                            partial[at + j % lanes]);
                }
            }
        }
        for (r = 0; r < rows; r++) {
            int at = (ch * rows + r) * (lanes + 1);
            float tail = partial[at + lanes];
            for (int j = bound; j < p; j++) {
                tail = Math.fma(g[gRow + j], cols[colsOff + r * p + j], tail);
            }
            partial[at + lanes] = tail;
        }
    }

    /** {@code dw[dwOff + k]} = the partial sums of weight {@code k < count} added in order. */
    private static void finish(int vector, int count, float[] partial, float[] dw, int dwOff) {
        int lanes = 4 * vector;
        for (int k = 0; k < count; k++) {
            float sum = 0f;
            for (int l = 0; l <= lanes; l++) {
                sum += partial[k * (lanes + 1) + l];
            }
            dw[dwOff + k] = sum;
        }
    }
}
