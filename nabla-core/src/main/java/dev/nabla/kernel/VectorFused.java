package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;
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

    static int adam(float[] p, float[] g, float[] m, float[] v, float b1, float c1, float b2, float c2, float wd,
            float shrink, float stepSize, float invBc2Sqrt, float eps) {
        int bound = S.loopBound(p.length);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector pi = FloatVector.fromArray(S, p, i);
            FloatVector gi = FloatVector.fromArray(S, g, i).add(pi.mul(wd));
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(b1).add(gi.mul(c1));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(b2).add(gi.mul(gi).mul(c2));
            mi = mi.blend(0f, mi.abs().lt(Float.MIN_NORMAL));
            vi = vi.blend(0f, vi.lt(Float.MIN_NORMAL));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector denominator = vi.sqrt().mul(invBc2Sqrt).add(eps);
            pi.mul(shrink).sub(mi.div(denominator).mul(stepSize)).intoArray(p, i);
        }
        return bound;
    }

    static int relu(float[] x, float[] out, int n) {
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector xi = FloatVector.fromArray(S, x, i);
            VectorMask<Float> keep = xi.compare(VectorOperators.GT, 0f).or(xi.test(VectorOperators.IS_NAN));
            FloatVector.zero(S).blend(xi, keep).intoArray(out, i);
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
}
