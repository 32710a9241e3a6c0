package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link Fused}'s float32 exp, sigmoid and tanh: within 2 ulp of the exact value (Math in double precision, rounded),
 * the special values right, and the Vector API path bit-identical to the scalar one.
 */
class TranscendentalTest {
    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 88.72f, 88.73f, 89f, 89.5f,
        -87.3f, -88f, -103f, -103.9f, -104f, -105f, 0.625f, -0.625f, 0.62499994f, 0.62500006f, 9f, -9f, 20f, -20f,
        1e-20f, -1e-20f, 1e-4f, 44f, -44f, 45f, 1000f, -1000f, Float.MAX_VALUE, -Float.MAX_VALUE};

    /** Special values, a dense sweep over the interesting range, and random values of many magnitudes. */
    private static float[] inputs() {
        List<Float> v = new ArrayList<>();
        for (float f : SPECIAL) {
            v.add(f);
        }
        for (float x = -110f; x <= 110f; x += 0.00731f) {
            v.add(x);
        }
        Random r = new Random(3);
        for (int i = 0; i < 20000; i++) {
            v.add((float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 4)));
        }
        float[] a = new float[v.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = v.get(i);
        }
        return a;
    }

    private static float ulp(float x) {
        return Math.ulp(x == 0 ? Float.MIN_VALUE : x);
    }

    private interface Scalar {
        float apply(float x);
    }

    private interface Array {
        void apply(float[] x, int xo, float[] out, int oo, int n);
    }

    private static void check(String name, Scalar scalar, Array array, DoubleUnaryOperator exact, double maxUlp) {
        float[] x = inputs();
        float[] out = new float[x.length];
        array.apply(x, 0, out, 0, x.length);
        double worst = 0;
        float worstAt = 0;
        for (int i = 0; i < x.length; i++) {
            float s = scalar.apply(x[i]);
            assertEquals(Float.floatToIntBits(s), Float.floatToIntBits(out[i]),
                    name + "(" + x[i] + "): array path " + out[i] + " differs from the scalar " + s);
            float want = (float) exact.applyAsDouble(x[i]);
            if (Float.isNaN(want) || Float.isInfinite(want) || want == 0) {
                assertEquals(want, s, 0f, name + "(" + x[i] + ")");
                continue;
            }
            double err = Math.abs(s - (double) want) / ulp(want);
            if (err > worst) {
                worst = err;
                worstAt = x[i];
            }
        }
        assertTrue(worst <= maxUlp, name + ": " + worst + " ulp at x = " + worstAt);
    }

    @Test
    void expIsWithinTwoUlpAndPathsAgree() {
        check("exp", Fused::exp, Fused::exp, Math::exp, 2);
    }

    @Test
    void sigmoidIsWithinTwoUlpAndPathsAgree() {
        check("sigmoid", Fused::sigmoid, Fused::sigmoid, x -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)), 2);
    }

    @Test
    void tanhIsWithinTwoUlpAndPathsAgree() {
        check("tanh", Fused::tanh, Fused::tanh, Math::tanh, 2);
    }

    @Test
    void offsetsAndTailsAreRespected() {
        float[] x = inputs();
        for (int n : new int[] {0, 1, 15, 16, 17, 33}) {
            float[] out = new float[n + 5];
            java.util.Arrays.fill(out, 42f);
            Fused.tanh(x, 3, out, 2, n);
            for (int i = 0; i < out.length; i++) {
                float want = i >= 2 && i < 2 + n ? Fused.tanh(x[3 + i - 2]) : 42f;
                assertEquals(want, out[i], 0f, "n " + n + " at " + i);
            }
        }
    }

    @Test
    void specialValues() {
        assertEquals(1f, Fused.exp(0f));
        assertEquals(Float.POSITIVE_INFINITY, Fused.exp(Float.POSITIVE_INFINITY));
        assertEquals(0f, Fused.exp(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(Fused.exp(Float.NaN)));
        assertEquals(0.5f, Fused.sigmoid(0f));
        assertEquals(1f, Fused.sigmoid(Float.POSITIVE_INFINITY));
        assertEquals(0f, Fused.sigmoid(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(Fused.sigmoid(Float.NaN)));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(Fused.tanh(-0f)));
        assertEquals(1f, Fused.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, Fused.tanh(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(Fused.tanh(Float.NaN)));
    }
}
