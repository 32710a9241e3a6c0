package dev.nabla.kernel;


import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API bodies of {@link Cells}, with the activations from {@link VectorMath}. The forward passes do a whole row, tails included; the backward bodies do
 * a row's columns up to a multiple of the vector length and return where they stopped. Every element goes through
 * the same operations as in the plain loops, in the same order, so the results are bit-identical. Only loaded when
 * the module is present.
 *
 * <p>No vector crosses a call between methods of this class: C2 may decline to inline any of them (large, or past
 * its node budget), and a vector passed or returned through a call that is not inlined is boxed, at many times the
 * cost of the arithmetic. Methods here take and return arrays only.
 */
final class VectorCells {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    private VectorCells() {}

    /** {@code dst[d + i] = x[xo + i] + h[ho + i]} for i &lt; n, tail included. */
    private static void add(float[] x, int xo, float[] h, int ho, float[] dst, int d, int n) {
        for (int i = VectorFused.add(x, xo, h, ho, dst, d, n); i < n; i++) {
            dst[d + i] = x[xo + i] + h[ho + i];
        }
    }

    /**
     * One row of the LSTM forward in passes over the row (activations of the gate sums into {@code act}, the cell,
     * its tanh, the output), each element through the same operations as {@link Cells#lstmForwardPlain}.
     * {@code act} receives the five saved blocks.
     */
    static void lstmForward(int hidden, float[] x, int xr, float[] h, int hr, float[] c, int cr, float[] out, int or,
            float[] act, int ar) {
        int hh = hidden;
        VectorMath.sigmoidOfSum(x, xr, h, hr, act, ar, 2 * hh);
        add(x, xr + 2 * hh, h, hr + 2 * hh, act, ar + 2 * hh, hh);
        VectorMath.tanh(act, ar + 2 * hh, act, ar + 2 * hh, hh);
        VectorMath.sigmoidOfSum(x, xr + 3 * hh, h, hr + 3 * hh, act, ar + 3 * hh, hh);
        int bound = S.loopBound(hidden);
        int j = 0;
        for (; j < bound; j += S.length()) {
            FloatVector i = FloatVector.fromArray(S, act, ar + j);
            FloatVector f = FloatVector.fromArray(S, act, ar + hh + j);
            FloatVector g = FloatVector.fromArray(S, act, ar + 2 * hh + j);
            f.fma(FloatVector.fromArray(S, c, cr + j), i.mul(g)).intoArray(out, or + hh + j);
        }
        for (; j < hidden; j++) {
            out[or + hh + j] = Math.fma(act[ar + hh + j], c[cr + j], act[ar + j] * act[ar + 2 * hh + j]);
        }
        VectorMath.tanh(out, or + hh, act, ar + 4 * hh, hh);
        j = 0;
        for (; j < bound; j += S.length()) {
            FloatVector o = FloatVector.fromArray(S, act, ar + 3 * hh + j);
            o.mul(FloatVector.fromArray(S, act, ar + 4 * hh + j)).intoArray(out, or + j);
        }
        for (; j < hidden; j++) {
            out[or + j] = act[ar + 3 * hh + j] * act[ar + 4 * hh + j];
        }
    }

    static int lstmBackward(int hidden, float[] grad, int gr, float[] c, int cr, float[] saved, int sr,
            float[] dGates, int dr, float[] dC, int dcr) {
        int bound = S.loopBound(hidden);
        int hh = hidden;
        for (int j = 0; j < bound; j += S.length()) {
            FloatVector i = FloatVector.fromArray(S, saved, sr + j);
            FloatVector f = FloatVector.fromArray(S, saved, sr + hh + j);
            FloatVector g = FloatVector.fromArray(S, saved, sr + 2 * hh + j);
            FloatVector o = FloatVector.fromArray(S, saved, sr + 3 * hh + j);
            FloatVector t = FloatVector.fromArray(S, saved, sr + 4 * hh + j);
            FloatVector gh = FloatVector.fromArray(S, grad, gr + j);
            FloatVector dcNext = gh.mul(o).fma(t.neg().fma(t, ONE), FloatVector.fromArray(S, grad, gr + hh + j));
            dcNext.mul(g).mul(i.mul(ONE.sub(i))).intoArray(dGates, dr + j);
            dcNext.mul(FloatVector.fromArray(S, c, cr + j)).mul(f.mul(ONE.sub(f))).intoArray(dGates, dr + hh + j);
            dcNext.mul(i).mul(g.neg().fma(g, ONE)).intoArray(dGates, dr + 2 * hh + j);
            gh.mul(t).mul(o.mul(ONE.sub(o))).intoArray(dGates, dr + 3 * hh + j);
            if (dC != null) {
                dcNext.mul(f).intoArray(dC, dcr + j);
            }
        }
        return bound;
    }

    /** One row of the GRU forward in passes, as {@link #lstmForward}; {@code act} receives the three saved blocks. */
    static void gruForward(int hidden, float[] x, int xr, float[] h, int hr, float[] prev, int pr, float[] out, int or,
            float[] act, int ar) {
        int hh = hidden;
        VectorMath.sigmoidOfSum(x, xr, h, hr, act, ar, 2 * hh);
        int bound = S.loopBound(hidden);
        int j = 0;
        for (; j < bound; j += S.length()) {
            FloatVector rg = FloatVector.fromArray(S, act, ar + j);
            rg.fma(FloatVector.fromArray(S, h, hr + 2 * hh + j), FloatVector.fromArray(S, x, xr + 2 * hh + j))
                    .intoArray(act, ar + 2 * hh + j);
        }
        for (; j < hidden; j++) {
            act[ar + 2 * hh + j] = Math.fma(act[ar + j], h[hr + 2 * hh + j], x[xr + 2 * hh + j]);
        }
        VectorMath.tanh(act, ar + 2 * hh, act, ar + 2 * hh, hh);
        j = 0;
        for (; j < bound; j += S.length()) {
            FloatVector n = FloatVector.fromArray(S, act, ar + 2 * hh + j);
            FloatVector z = FloatVector.fromArray(S, act, ar + hh + j);
            z.fma(FloatVector.fromArray(S, prev, pr + j).sub(n), n).intoArray(out, or + j);
        }
        for (; j < hidden; j++) {
            float n = act[ar + 2 * hh + j];
            out[or + j] = Math.fma(act[ar + hh + j], prev[pr + j] - n, n);
        }
    }

    static int gruBackward(int hidden, float[] grad, int gr, float[] h, int hr, float[] prev, int pr, float[] saved,
            int sr, float[] dX, float[] dH, int dr, float[] dPrev, int dpr) {
        int bound = S.loopBound(hidden);
        int hh = hidden;
        for (int j = 0; j < bound; j += S.length()) {
            FloatVector rg = FloatVector.fromArray(S, saved, sr + j);
            FloatVector z = FloatVector.fromArray(S, saved, sr + hh + j);
            FloatVector n = FloatVector.fromArray(S, saved, sr + 2 * hh + j);
            FloatVector g = FloatVector.fromArray(S, grad, gr + j);
            FloatVector dn = g.mul(ONE.sub(z)).mul(n.neg().fma(n, ONE));
            FloatVector dz = g.mul(FloatVector.fromArray(S, prev, pr + j).sub(n)).mul(z.mul(ONE.sub(z)));
            FloatVector dReset = dn.mul(FloatVector.fromArray(S, h, hr + 2 * hh + j)).mul(rg.mul(ONE.sub(rg)));
            dReset.intoArray(dX, dr + j);
            dz.intoArray(dX, dr + hh + j);
            dn.intoArray(dX, dr + 2 * hh + j);
            dReset.intoArray(dH, dr + j);
            dz.intoArray(dH, dr + hh + j);
            dn.mul(rg).intoArray(dH, dr + 2 * hh + j);
            if (dPrev != null) {
                g.mul(z).intoArray(dPrev, dpr + j);
            }
        }
        return bound;
    }
}
