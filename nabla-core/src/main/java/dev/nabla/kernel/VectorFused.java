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

    /** out[oo + j] = a[ao + j] + b[bo + j] for j below the vector bound of n; returns the bound. */
    static int add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        for (int j = 0; j < bound; j += S.length()) {
            FloatVector.fromArray(S, a, ao + j).add(FloatVector.fromArray(S, b, bo + j)).intoArray(out, oo + j);
        }
        return bound;
    }
}
