package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API bodies of {@link SmallConv}; only loaded when the module is present. */
final class VectorSmallConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorSmallConv() {}

    static int length() {
        return L;
    }

    /**
     * The sums of one output row of {@link SmallConv#forward} over the whole vectors of its p columns from
     * {@code start}, four vectors at a time so that their chains of multiply-adds overlap; returns where it stopped.
     */
    static int forwardRow(int start, int p, int rows, float[] w, int wOff, float[] cols, boolean hasBias, float b,
            boolean relu, float[] y, int yOff) {
        int bound = S.loopBound(p);
        FloatVector bias = FloatVector.broadcast(S, b);
        FloatVector zero = FloatVector.zero(S);
        int j = start;
        for (; j <= bound - 4 * L; j += 4 * L) {
            FloatVector w0 = FloatVector.broadcast(S, w[wOff]);
            FloatVector a0 = FloatVector.fromArray(S, cols, j).mul(w0);
            FloatVector a1 = FloatVector.fromArray(S, cols, j + L).mul(w0);
            FloatVector a2 = FloatVector.fromArray(S, cols, j + 2 * L).mul(w0);
            FloatVector a3 = FloatVector.fromArray(S, cols, j + 3 * L).mul(w0);
            for (int r = 1; r < rows; r++) {
                FloatVector wr = FloatVector.broadcast(S, w[wOff + r]);
                int at = r * p + j;
                a0 = FloatVector.fromArray(S, cols, at).fma(wr, a0);
                a1 = FloatVector.fromArray(S, cols, at + L).fma(wr, a1);
                a2 = FloatVector.fromArray(S, cols, at + 2 * L).fma(wr, a2);
                a3 = FloatVector.fromArray(S, cols, at + 3 * L).fma(wr, a3);
            }
            if (hasBias) {
                a0 = a0.add(bias);
                a1 = a1.add(bias);
                a2 = a2.add(bias);
                a3 = a3.add(bias);
            }
            if (relu) { // max keeps NaN and turns −0 into +0, as relu does
                a0 = a0.max(zero);
                a1 = a1.max(zero);
                a2 = a2.max(zero);
                a3 = a3.max(zero);
            }
            a0.intoArray(y, yOff + j);
            a1.intoArray(y, yOff + j + L);
            a2.intoArray(y, yOff + j + 2 * L);
            a3.intoArray(y, yOff + j + 3 * L);
        }
        for (; j < bound; j += L) {
            FloatVector acc = FloatVector.fromArray(S, cols, j).mul(w[wOff]);
            for (int r = 1; r < rows; r++) {
                acc = FloatVector.fromArray(S, cols, r * p + j).fma(FloatVector.broadcast(S, w[wOff + r]), acc);
            }
            acc = hasBias ? acc.add(bias) : acc;
            (relu ? acc.max(zero) : acc).intoArray(y, yOff + j);
        }
        return bound;
    }

    /**
     * {@link #forwardRow} for two output channels at once (weights at {@code w0} and {@code w1}, outputs at
     * {@code y0} and {@code y1}), which share each load of the columns: eight chains of multiply-adds in flight
     * instead of four. The same multiply-adds in the same order as two calls of {@link #forwardRow}.
     */
    static int forwardRow2(int p, int rows, float[] w, int w0, int w1, float[] cols, boolean hasBias, float b0,
            float b1, boolean relu, float[] y, int y0, int y1) {
        int bound = S.loopBound(p);
        int j = 0;
        for (; j <= bound - 4 * L; j += 4 * L) {
            rows2(rows, w, w0, w1, cols, p, j, hasBias, b0, b1, relu, y, y0, y1);
        }
        return j;
    }

    /** Four vectors of columns from j for both channels of {@link #forwardRow2}. */
    private static void rows2(int rows, float[] w, int w0, int w1, float[] cols, int p, int j, boolean hasBias,
            float b0, float b1, boolean relu, float[] y, int y0, int y1) {
        FloatVector c0 = FloatVector.fromArray(S, cols, j);
        FloatVector c1 = FloatVector.fromArray(S, cols, j + L);
        FloatVector c2 = FloatVector.fromArray(S, cols, j + 2 * L);
        FloatVector c3 = FloatVector.fromArray(S, cols, j + 3 * L);
        FloatVector u = FloatVector.broadcast(S, w[w0]);
        FloatVector v = FloatVector.broadcast(S, w[w1]);
        FloatVector a0 = c0.mul(u);
        FloatVector a1 = c1.mul(u);
        FloatVector a2 = c2.mul(u);
        FloatVector a3 = c3.mul(u);
        FloatVector d0 = c0.mul(v);
        FloatVector d1 = c1.mul(v);
        FloatVector d2 = c2.mul(v);
        FloatVector d3 = c3.mul(v);
        for (int r = 1; r < rows; r++) {
            int at = r * p + j;
            c0 = FloatVector.fromArray(S, cols, at);
            c1 = FloatVector.fromArray(S, cols, at + L);
            c2 = FloatVector.fromArray(S, cols, at + 2 * L);
            c3 = FloatVector.fromArray(S, cols, at + 3 * L);
            u = FloatVector.broadcast(S, w[w0 + r]);
            v = FloatVector.broadcast(S, w[w1 + r]);
            a0 = c0.fma(u, a0);
            a1 = c1.fma(u, a1);
            a2 = c2.fma(u, a2);
            a3 = c3.fma(u, a3);
            d0 = c0.fma(v, d0);
            d1 = c1.fma(v, d1);
            d2 = c2.fma(v, d2);
            d3 = c3.fma(v, d3);
        }
        finish4(a0, a1, a2, a3, hasBias, b0, relu, y, y0 + j);
        finish4(d0, d1, d2, d3, hasBias, b1, relu, y, y1 + j);
    }

    /** Bias (when {@code hasBias}), relu (when {@code relu}) and store of four consecutive vectors. */
    private static void finish4(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3, boolean hasBias,
            float b, boolean relu, float[] y, int at) {
        FloatVector bias = FloatVector.broadcast(S, hasBias ? b : 0f);
        FloatVector zero = FloatVector.zero(S);
        if (hasBias) { // each branch stores its own results: a vector merged from two branches is boxed
            store4(a0.add(bias), a1.add(bias), a2.add(bias), a3.add(bias), relu, zero, y, at);
        } else {
            store4(a0, a1, a2, a3, relu, zero, y, at);
        }
    }

    private static void store4(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3, boolean relu,
            FloatVector zero, float[] y, int at) {
        if (relu) { // max keeps NaN and turns −0 into +0, as relu does
            a0.max(zero).intoArray(y, at);
            a1.max(zero).intoArray(y, at + L);
            a2.max(zero).intoArray(y, at + 2 * L);
            a3.max(zero).intoArray(y, at + 3 * L);
        } else {
            a0.intoArray(y, at);
            a1.intoArray(y, at + L);
            a2.intoArray(y, at + 2 * L);
            a3.intoArray(y, at + 3 * L);
        }
    }

    /**
     * {@code partial[at + l] += Σ g[gOff + j]·cols[cOff + j]} over {@code j < bound} with {@code j mod 4L = l} (bound a
     * multiple of the vector length L), as fused multiply-adds in j order: four vectors of partial sums, so four
     * chains of multiply-adds overlap.
     */
    static void accumulate(int bound, float[] g, int gOff, float[] cols, int cOff, float[] partial, int at) {
        FloatVector a0 = FloatVector.fromArray(S, partial, at);
        FloatVector a1 = FloatVector.fromArray(S, partial, at + L);
        FloatVector a2 = FloatVector.fromArray(S, partial, at + 2 * L);
        FloatVector a3 = FloatVector.fromArray(S, partial, at + 3 * L);
        int j = 0;
        for (; j <= bound - 4 * L; j += 4 * L) {
            a0 = FloatVector.fromArray(S, g, gOff + j).fma(FloatVector.fromArray(S, cols, cOff + j), a0);
            a1 = FloatVector.fromArray(S, g, gOff + j + L).fma(FloatVector.fromArray(S, cols, cOff + j + L), a1);
            a2 = FloatVector.fromArray(S, g, gOff + j + 2 * L).fma(FloatVector.fromArray(S, cols, cOff + j + 2 * L), a2);
            a3 = FloatVector.fromArray(S, g, gOff + j + 3 * L).fma(FloatVector.fromArray(S, cols, cOff + j + 3 * L), a3);
        }
        if (j < bound) {
            a0 = FloatVector.fromArray(S, g, gOff + j).fma(FloatVector.fromArray(S, cols, cOff + j), a0);
            j += L;
        }
        if (j < bound) {
            a1 = FloatVector.fromArray(S, g, gOff + j).fma(FloatVector.fromArray(S, cols, cOff + j), a1);
            j += L;
        }
        if (j < bound) {
            a2 = FloatVector.fromArray(S, g, gOff + j).fma(FloatVector.fromArray(S, cols, cOff + j), a2);
        }
        a0.intoArray(partial, at);
        a1.intoArray(partial, at + L);
        a2.intoArray(partial, at + 2 * L);
        a3.intoArray(partial, at + 3 * L);
    }

    /**
     * {@link #accumulate} for three rows of columns ({@code cOff}, {@code cOff + cStride}, {@code cOff + 2·cStride})
     * into three groups of partial sums ({@code at}, {@code at + pStride}, {@code at + 2·pStride}), loading g once.
     */
    static void accumulate3(int bound, float[] g, int gOff, float[] cols, int cOff, int cStride, float[] partial,
            int at, int pStride) {
        int c1 = cOff + cStride;
        int c2 = cOff + 2 * cStride;
        int p1 = at + pStride;
        int p2 = at + 2 * pStride;
        FloatVector a0 = FloatVector.fromArray(S, partial, at);
        FloatVector a1 = FloatVector.fromArray(S, partial, at + L);
        FloatVector a2 = FloatVector.fromArray(S, partial, at + 2 * L);
        FloatVector a3 = FloatVector.fromArray(S, partial, at + 3 * L);
        FloatVector b0 = FloatVector.fromArray(S, partial, p1);
        FloatVector b1 = FloatVector.fromArray(S, partial, p1 + L);
        FloatVector b2 = FloatVector.fromArray(S, partial, p1 + 2 * L);
        FloatVector b3 = FloatVector.fromArray(S, partial, p1 + 3 * L);
        FloatVector d0 = FloatVector.fromArray(S, partial, p2);
        FloatVector d1 = FloatVector.fromArray(S, partial, p2 + L);
        FloatVector d2 = FloatVector.fromArray(S, partial, p2 + 2 * L);
        FloatVector d3 = FloatVector.fromArray(S, partial, p2 + 3 * L);
        int j = 0;
        for (; j <= bound - 4 * L; j += 4 * L) {
            FloatVector g0 = FloatVector.fromArray(S, g, gOff + j);
            FloatVector g1 = FloatVector.fromArray(S, g, gOff + j + L);
            FloatVector g2 = FloatVector.fromArray(S, g, gOff + j + 2 * L);
            FloatVector g3 = FloatVector.fromArray(S, g, gOff + j + 3 * L);
            a0 = g0.fma(FloatVector.fromArray(S, cols, cOff + j), a0);
            a1 = g1.fma(FloatVector.fromArray(S, cols, cOff + j + L), a1);
            a2 = g2.fma(FloatVector.fromArray(S, cols, cOff + j + 2 * L), a2);
            a3 = g3.fma(FloatVector.fromArray(S, cols, cOff + j + 3 * L), a3);
            b0 = g0.fma(FloatVector.fromArray(S, cols, c1 + j), b0);
            b1 = g1.fma(FloatVector.fromArray(S, cols, c1 + j + L), b1);
            b2 = g2.fma(FloatVector.fromArray(S, cols, c1 + j + 2 * L), b2);
            b3 = g3.fma(FloatVector.fromArray(S, cols, c1 + j + 3 * L), b3);
            d0 = g0.fma(FloatVector.fromArray(S, cols, c2 + j), d0);
            d1 = g1.fma(FloatVector.fromArray(S, cols, c2 + j + L), d1);
            d2 = g2.fma(FloatVector.fromArray(S, cols, c2 + j + 2 * L), d2);
            d3 = g3.fma(FloatVector.fromArray(S, cols, c2 + j + 3 * L), d3);
        }
        if (j < bound) {
            FloatVector gj = FloatVector.fromArray(S, g, gOff + j);
            a0 = gj.fma(FloatVector.fromArray(S, cols, cOff + j), a0);
            b0 = gj.fma(FloatVector.fromArray(S, cols, c1 + j), b0);
            d0 = gj.fma(FloatVector.fromArray(S, cols, c2 + j), d0);
            j += L;
        }
        if (j < bound) {
            FloatVector gj = FloatVector.fromArray(S, g, gOff + j);
            a1 = gj.fma(FloatVector.fromArray(S, cols, cOff + j), a1);
            b1 = gj.fma(FloatVector.fromArray(S, cols, c1 + j), b1);
            d1 = gj.fma(FloatVector.fromArray(S, cols, c2 + j), d1);
            j += L;
        }
        if (j < bound) {
            FloatVector gj = FloatVector.fromArray(S, g, gOff + j);
            a2 = gj.fma(FloatVector.fromArray(S, cols, cOff + j), a2);
            b2 = gj.fma(FloatVector.fromArray(S, cols, c1 + j), b2);
            d2 = gj.fma(FloatVector.fromArray(S, cols, c2 + j), d2);
        }
        a0.intoArray(partial, at);
        a1.intoArray(partial, at + L);
        a2.intoArray(partial, at + 2 * L);
        a3.intoArray(partial, at + 3 * L);
        b0.intoArray(partial, p1);
        b1.intoArray(partial, p1 + L);
        b2.intoArray(partial, p1 + 2 * L);
        b3.intoArray(partial, p1 + 3 * L);
        d0.intoArray(partial, p2);
        d1.intoArray(partial, p2 + L);
        d2.intoArray(partial, p2 + 2 * L);
        d3.intoArray(partial, p2 + 3 * L);
    }
}
