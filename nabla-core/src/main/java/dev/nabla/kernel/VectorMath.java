package dev.nabla.kernel;

import static dev.nabla.kernel.FastMath.E0;
import static dev.nabla.kernel.FastMath.E1;
import static dev.nabla.kernel.FastMath.E2;
import static dev.nabla.kernel.FastMath.E3;
import static dev.nabla.kernel.FastMath.E4;
import static dev.nabla.kernel.FastMath.E5;
import static dev.nabla.kernel.FastMath.EXP_HI;
import static dev.nabla.kernel.FastMath.EXP_LO;
import static dev.nabla.kernel.FastMath.LN2_HI;
import static dev.nabla.kernel.FastMath.LN2_LO;
import static dev.nabla.kernel.FastMath.LOG2E;
import static dev.nabla.kernel.FastMath.ROUND;
import static dev.nabla.kernel.FastMath.ROUND_BITS;
import static dev.nabla.kernel.FastMath.TANH_CLAMP;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FastMath}'s functions over runs of an array with the Vector API, tails included, bit-identical to the scalar
 * functions. Only loaded when the module is present.
 *
 * <p>Each pass is one loop with the whole computation written out, and methods take and return arrays only: C2 may
 * decline to inline a large helper (or stop inlining past its node budget), a vector passed through a call that is
 * not inlined is boxed, and an operation C2 leaves unintrinsified costs many times the arithmetic. No masks or
 * blends are used, since compare-and-blend was the first thing seen to fall out of intrinsics in a large method.
 */
final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** The integer species of S's shape, for the bits of 2^k (named constants keep the conversions intrinsic). */
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    private VectorMath() {}

    /**
     * {@code dst[d + i] = σ(x[xo + i] + h[ho + i])} for i &lt; n, tail included, exactly as {@link FastMath#sigmoid} of
     * the sum; may run in place. The exp is written out in the loop rather than called (see the class comment).
     */
    static void sigmoidOfSum(float[] x, int xo, float[] h, int ho, float[] dst, int d, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i).add(FloatVector.fromArray(S, h, ho + i));
            FloatVector y = v.neg().max(EXP_LO).min(EXP_HI);
            FloatVector t = y.fma(LOG2E, ROUND);
            FloatVector k = t.sub(ROUND);
            IntVector bits = (IntVector) t.reinterpretShape(I, 0);
            FloatVector scale = (FloatVector) bits.sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretShape(S, 0);
            FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), y);
            r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = r.fma(E0, E1);
            p = p.fma(r, FloatVector.broadcast(S, E2));
            p = p.fma(r, FloatVector.broadcast(S, E3));
            p = p.fma(r, FloatVector.broadcast(S, E4));
            p = p.fma(r, FloatVector.broadcast(S, E5));
            FloatVector e = p.fma(r.mul(r), r).add(1f).mul(scale);
            ONE.div(e.add(1f)).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = FastMath.sigmoid(x[xo + i] + h[ho + i]);
        }
    }

    /**
     * {@code dst[d + i] = tanh(src[s + i])} for i &lt; n, tail included, exactly as {@link FastMath#tanh}: clamp, expm1,
     * divide, with no mask or blend; may run in place.
     */
    static void tanh(float[] src, int s, float[] dst, int d, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += S.length()) {
            FloatVector y = FloatVector.fromArray(S, src, s + i).mul(2f).max(-TANH_CLAMP).min(TANH_CLAMP);
            FloatVector t = y.fma(LOG2E, ROUND);
            FloatVector k = t.sub(ROUND);
            IntVector bits = (IntVector) t.reinterpretShape(I, 0);
            FloatVector scale = (FloatVector) bits.sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretShape(S, 0);
            FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), y);
            r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = r.fma(E0, E1);
            p = p.fma(r, FloatVector.broadcast(S, E2));
            p = p.fma(r, FloatVector.broadcast(S, E3));
            p = p.fma(r, FloatVector.broadcast(S, E4));
            p = p.fma(r, FloatVector.broadcast(S, E5));
            FloatVector e = scale.fma(p.fma(r.mul(r), r), scale.sub(1f));
            e.div(e.add(2f)).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = FastMath.tanh(src[s + i]);
        }
    }

    /** {@code dst[d + i] = e^(src[s + i] − shift)} for i &lt; n, tail included, exactly as {@link FastMath#exp}. */
    static void expShifted(float[] src, int s, float shift, float[] dst, int d, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += S.length()) {
            FloatVector y = FloatVector.fromArray(S, src, s + i).sub(shift).max(EXP_LO).min(EXP_HI);
            FloatVector t = y.fma(LOG2E, ROUND);
            FloatVector k = t.sub(ROUND);
            IntVector bits = (IntVector) t.reinterpretShape(I, 0);
            FloatVector scale = (FloatVector) bits.sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretShape(S, 0);
            FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), y);
            r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = r.fma(E0, E1);
            p = p.fma(r, FloatVector.broadcast(S, E2));
            p = p.fma(r, FloatVector.broadcast(S, E3));
            p = p.fma(r, FloatVector.broadcast(S, E4));
            p = p.fma(r, FloatVector.broadcast(S, E5));
            p.fma(r.mul(r), r).add(1f).mul(scale).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = FastMath.exp(src[s + i] - shift);
        }
    }
}
