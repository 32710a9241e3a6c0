package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API bodies of {@link Fused}'s loops. Each returns the index where it stopped (a multiple of the vector
 * length) so the caller finishes the tail with the plain loop; only loaded when the module is present.
 */
final class VectorFused {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorFused() {}

    static int adam(int from, int to, float[] p, float[] g, float[] m, float[] v, float b1, float c1, float b2,
            float c2, float wd, float shrink, float stepSize, float invBc2Sqrt, float eps) {
        int bound = from + S.loopBound(to - from);
        // Scalars broadcast once, outside the loop: the JIT does not hoist FloatVector.mul(float)'s broadcast.
        FloatVector vb1 = FloatVector.broadcast(S, b1);
        FloatVector vc1 = FloatVector.broadcast(S, c1);
        FloatVector vb2 = FloatVector.broadcast(S, b2);
        FloatVector vc2 = FloatVector.broadcast(S, c2);
        FloatVector vwd = FloatVector.broadcast(S, wd);
        FloatVector vShrink = FloatVector.broadcast(S, shrink);
        FloatVector vStep = FloatVector.broadcast(S, stepSize);
        FloatVector vInv = FloatVector.broadcast(S, invBc2Sqrt);
        FloatVector vEps = FloatVector.broadcast(S, eps);
        FloatVector tiny = FloatVector.broadcast(S, Float.MIN_NORMAL);
        FloatVector zero = FloatVector.zero(S);
        for (int i = from; i < bound; i += S.length()) {
            FloatVector pi = FloatVector.fromArray(S, p, i);
            FloatVector gi = FloatVector.fromArray(S, g, i).add(pi.mul(vwd));
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(vb1).add(gi.mul(vc1));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(vb2).add(gi.mul(gi).mul(vc2));
            mi = mi.blend(zero, mi.abs().compare(VectorOperators.LT, tiny));
            vi = vi.blend(zero, vi.compare(VectorOperators.LT, tiny));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector denominator = vi.sqrt().mul(vInv).add(vEps);
            pi.mul(vShrink).sub(mi.div(denominator).mul(vStep)).intoArray(p, i);
        }
        return bound;
    }

    static int relu(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector xi = FloatVector.fromArray(S, x, xo + i);
            VectorMask<Float> keep = xi.compare(VectorOperators.GT, 0f).or(xi.test(VectorOperators.IS_NAN));
            FloatVector.zero(S).blend(xi, keep).intoArray(out, oo + i);
        }
        return bound;
    }

    static int reluBackward(float[] x, float[] g, float[] out, int n) {
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += S.length()) {
            VectorMask<Float> positive = FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f);
            FloatVector.zero(S).blend(FloatVector.fromArray(S, g, i), positive).intoArray(out, i);
        }
        return bound;
    }

    static int biasRelu(float[] a, int ao, float bias, boolean relu, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        FloatVector b = FloatVector.broadcast(S, bias);
        FloatVector zero = FloatVector.zero(S);
        for (int j = 0; j < bound; j += S.length()) {
            FloatVector v = FloatVector.fromArray(S, a, ao + j).add(b);
            if (relu) {
                v = zero.blend(v, v.compare(VectorOperators.GT, 0f).or(v.test(VectorOperators.IS_NAN)));
            }
            v.intoArray(out, oo + j);
        }
        return bound;
    }

    static int biasActInPlace(float[] c, int co, float[] bias, int bo, boolean relu, int n) {
        int bound = S.loopBound(n);
        FloatVector zero = FloatVector.zero(S);
        for (int j = 0; j < bound; j += S.length()) {
            FloatVector v = FloatVector.fromArray(S, c, co + j);
            if (bias != null) {
                v = v.add(FloatVector.fromArray(S, bias, bo + j));
            }
            if (relu) {
                v = zero.blend(v, v.compare(VectorOperators.GT, 0f).or(v.test(VectorOperators.IS_NAN)));
            }
            v.intoArray(c, co + j);
        }
        return bound;
    }

    /** out[oo + j] = a[ao + j] − c for j below the vector bound of n; returns the bound. */
    static int subScalar(float[] a, int ao, float c, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        for (int j = 0; j < bound; j += S.length()) {
            FloatVector.fromArray(S, a, ao + j).sub(c).intoArray(out, oo + j);
        }
        return bound;
    }

    /** out[oo + j] = fma(−b[bo + j], s, a[ao + j]) for j below the vector bound of n; returns the bound. */
    static int subScaled(float[] a, int ao, float[] b, int bo, float s, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        FloatVector sv = FloatVector.broadcast(S, s);
        for (int j = 0; j < bound; j += S.length()) {
            FloatVector.fromArray(S, b, bo + j).neg().fma(sv, FloatVector.fromArray(S, a, ao + j))
                    .intoArray(out, oo + j);
        }
        return bound;
    }

    /** out[oo + j] = a[ao + j] + b[bo + j] for j below the vector bound of n; returns the bound. */
    static int add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        for (int j = 0; j < bound; j += S.length()) {
            FloatVector.fromArray(S, a, ao + j).add(FloatVector.fromArray(S, b, bo + j)).intoArray(out, oo + j);
        }
        return bound;
    }

    /** e^x lane by lane: {@link Fused#exp(float)}'s operations, in the same order. */
    static FloatVector exp(FloatVector x) {
        FloatVector v = x.max(Fused.EXP_MIN).min(Fused.EXP_MAX);
        FloatVector t = v.mul(Fused.LOG2E).add(Fused.ROUNDER);
        FloatVector n = t.sub(Fused.ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(S, -Fused.LN2_HI), v);
        r = n.fma(FloatVector.broadcast(S, -Fused.LN2_LO), r);
        FloatVector p = r.fma(Fused.EXP_P0, Fused.EXP_P1);
        p = p.fma(r, FloatVector.broadcast(S, Fused.EXP_P2));
        p = p.fma(r, FloatVector.broadcast(S, Fused.EXP_P3));
        p = p.fma(r, FloatVector.broadcast(S, Fused.EXP_P4));
        p = p.fma(r, FloatVector.broadcast(S, Fused.EXP_P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        // n as an int from t's low bits (convert(F2I) is not compiled to one instruction on JDK 17: 50x slower)
        IntVector k = t.reinterpretAsInts().sub(Fused.ROUNDER_BITS);
        IntVector k1 = k.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = k.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(s1).mul(s2);
    }

    static int exp(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += S.length()) {
            exp(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
        }
        return bound;
    }

    static int sigmoid(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector xi = FloatVector.fromArray(S, x, xo + i);
            FloatVector e = exp(xi.abs().neg());
            FloatVector d = one.add(e);
            one.div(d).blend(e.div(d), xi.compare(VectorOperators.LT, 0f)).intoArray(out, oo + i);
        }
        return bound;
    }

    static int tanh(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector two = FloatVector.broadcast(S, 2f);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector xi = FloatVector.fromArray(S, x, xo + i);
            FloatVector a = xi.abs();
            FloatVector big = one.sub(two.div(exp(a.add(a)).add(one)));
            // copySign(big, x): the magnitude's bits with x's sign bit
            IntVector sign = xi.reinterpretAsInts().and(0x80000000);
            big = big.reinterpretAsInts().and(0x7fffffff).or(sign).reinterpretAsFloats();
            FloatVector z = xi.mul(xi);
            FloatVector p = z.fma(Fused.TANH_P0, Fused.TANH_P1);
            p = p.fma(z, FloatVector.broadcast(S, Fused.TANH_P2));
            p = p.fma(z, FloatVector.broadcast(S, Fused.TANH_P3));
            p = p.fma(z, FloatVector.broadcast(S, Fused.TANH_P4));
            FloatVector small = p.mul(z).fma(xi, xi);
            small = small.blend(xi, a.compare(VectorOperators.LT, Fused.TANH_TINY));
            small.blend(big, a.compare(VectorOperators.GT, Fused.TANH_SMALL)).intoArray(out, oo + i);
        }
        return bound;
    }
}
