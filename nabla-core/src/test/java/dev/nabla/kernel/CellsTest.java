package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The fused recurrent cells' kernels and FastMath: float32 exp, expm1, sigmoid and tanh within a few ulp of the
 * float64 functions, the Vector API and plain paths bit for bit equal, float32 cells close to the float64 ones.
 */
class CellsTest {
    private static final int LANES = FloatVector.SPECIES_PREFERRED.length();

    /** |got − want| in units of the last place of want rounded to float. */
    private static double ulps(float got, double want) {
        float w = (float) want;
        return Math.abs(got - want) / Math.ulp(Math.abs(w) < Float.MIN_NORMAL ? Float.MIN_NORMAL : w);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void expSigmoidAndTanhAreWithinAFewUlp() {
        double exp = 0;
        double sig = 0;
        double tanh = 0;
        for (float x = -87f; x < 88f; x += 0.000731f) {
            exp = Math.max(exp, ulps(FastMath.exp(x), Math.exp(x)));
        }
        for (float x = -80f; x < 80f; x += 0.000619f) {
            sig = Math.max(sig, ulps(FastMath.sigmoid(x), sigmoid(x)));
            tanh = Math.max(tanh, ulps(FastMath.tanh(x), Math.tanh(x)));
        }
        double expm1 = 0;
        for (float x = -18f; x < 18f; x += 0.000377f) {
            expm1 = Math.max(expm1, ulps(FastMath.expm1(x), Math.expm1(x)));
        }
        assertTrue(expm1 <= 1.5, "expm1: " + expm1 + " ulp");
        for (float x = 1e-30f; x < 1f; x *= 1.0007f) {
            tanh = Math.max(tanh, Math.max(ulps(FastMath.tanh(x), Math.tanh(x)), ulps(FastMath.tanh(-x), Math.tanh(-x))));
        }
        assertTrue(exp <= 1.5, "exp: " + exp + " ulp");
        assertTrue(sig <= 3, "sigmoid: " + sig + " ulp");
        assertTrue(tanh <= 2.5, "tanh: " + tanh + " ulp");
    }

    @Test
    void edgesSaturateAndNaNStaysNaN() {
        assertEquals(1f, FastMath.exp(0f));
        assertEquals(0.5f, FastMath.sigmoid(0f));
        assertEquals(0f, FastMath.tanh(0f));
        assertTrue(Float.isFinite(FastMath.exp(1000f)) && FastMath.exp(1000f) > 1e38f);
        assertTrue(FastMath.exp(-1000f) < 1e-37f);
        assertEquals(1f, FastMath.sigmoid(200f));
        assertTrue(FastMath.sigmoid(-200f) < 1e-37f);
        assertEquals(1f, FastMath.tanh(50f));
        assertEquals(-1f, FastMath.tanh(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(FastMath.exp(Float.NaN)));
        assertTrue(Float.isNaN(FastMath.sigmoid(Float.NaN)));
        assertTrue(Float.isNaN(FastMath.tanh(Float.NaN)));
    }

    @Test
    void vectorFunctionsEqualThePlainOnesBitForBit() {
        assumeTrue(Gemm.simdEnabled(), "Vector API module absent");
        Random r = new Random(3);
        int n = LANES * 400 + 7; // and a tail
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(5) - 2));
        }
        x[0] = Float.NaN;
        x[1] = 1000f;
        x[2] = -1000f;
        x[3] = -0f;
        float[] s = new float[n];
        float[] t = x.clone();
        VectorMath.sigmoidOfSum(x, 0, new float[n], 0, s, 0, n); // σ(x + 0)
        VectorMath.tanh(t, 0, t, 0, n); // in place
        float[] e = new float[n];
        VectorMath.expShifted(x, 0, 0.75f, e, 0, n);
        for (int i = 0; i < n; i++) {
            assertEquals(FastMath.sigmoid(x[i] + 0f), s[i], "sigmoid(" + x[i] + ")");
            assertEquals(FastMath.tanh(x[i]), t[i], "tanh(" + x[i] + ")");
            assertEquals(FastMath.exp(x[i] - 0.75f), e[i], "exp(" + x[i] + " - 0.75)");
        }
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * 2);
        }
        return a;
    }

    private static double[] wide(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static void assertClose(double[] expected, float[] actual, double tol, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * (1 + Math.abs(expected[i])), what + " at " + i);
        }
    }

    @Test
    void lstmVectorPathEqualsPlainAndFloat64() {
        Random r = new Random(5);
        for (int hidden : new int[] {1, LANES - 1, LANES, LANES + 3, 2 * LANES + 5}) {
            int rows = 3;
            int xLd = 4 * hidden + 7; // the input gates are read in place from a wider matrix
            float[] x = random(r, rows * xLd);
            float[] h = random(r, rows * 4 * hidden);
            float[] c = random(r, rows * hidden);
            float[] out = new float[rows * 2 * hidden];
            float[] saved = new float[rows * 5 * hidden];
            Cells.lstmForward(rows, hidden, x, 2, xLd, h, 0, 4 * hidden, c, 0, hidden, out, saved);
            float[] outPlain = new float[out.length];
            float[] savedPlain = new float[saved.length];
            for (int i = 0; i < rows; i++) {
                Cells.lstmForwardPlain(0, hidden, x, 2 + i * xLd, h, i * 4 * hidden, c, i * hidden, outPlain,
                        i * 2 * hidden, savedPlain, i * 5 * hidden);
            }
            assertArrayEquals(outPlain, out, "forward, hidden " + hidden);
            assertArrayEquals(savedPlain, saved, "saved, hidden " + hidden);
            float[] outUnsaved = new float[out.length];
            Cells.lstmForward(rows, hidden, x, 2, xLd, h, 0, 4 * hidden, c, 0, hidden, outUnsaved, null);
            assertArrayEquals(out, outUnsaved, "forward without saving, hidden " + hidden);

            float[] g = random(r, rows * 2 * hidden);
            float[] dGates = new float[rows * 4 * hidden];
            float[] dC = new float[rows * hidden];
            Cells.lstmBackward(rows, hidden, g, 0, 2 * hidden, c, 0, hidden, saved, dGates, dC);
            float[] dGatesPlain = new float[dGates.length];
            float[] dCPlain = new float[dC.length];
            for (int i = 0; i < rows; i++) {
                Cells.lstmBackwardPlain(0, hidden, g, i * 2 * hidden, c, i * hidden, saved, i * 5 * hidden,
                        dGatesPlain, i * 4 * hidden, dCPlain, i * hidden);
            }
            assertArrayEquals(dGatesPlain, dGates, "d gates, hidden " + hidden);
            assertArrayEquals(dCPlain, dC, "d cell, hidden " + hidden);

            double[] out64 = new double[out.length];
            double[] saved64 = new double[saved.length];
            Cells.lstmForward(rows, hidden, wide(x), 2, xLd, wide(h), 0, 4 * hidden, wide(c), 0, hidden, out64,
                    saved64);
            assertClose(out64, out, 1e-6, "forward vs float64, hidden " + hidden);
            double[] dGates64 = new double[dGates.length];
            double[] dC64 = new double[dC.length];
            Cells.lstmBackward(rows, hidden, wide(g), 0, 2 * hidden, wide(c), 0, hidden, saved64, dGates64, dC64);
            assertClose(dGates64, dGates, 1e-5, "d gates vs float64, hidden " + hidden);
            assertClose(dC64, dC, 1e-5, "d cell vs float64, hidden " + hidden);
        }
    }

    @Test
    void gruVectorPathEqualsPlainAndFloat64() {
        Random r = new Random(6);
        for (int hidden : new int[] {1, LANES - 1, LANES, LANES + 3, 2 * LANES + 5}) {
            int rows = 3;
            int xLd = 3 * hidden + 5;
            float[] x = random(r, rows * xLd);
            float[] h = random(r, rows * 3 * hidden);
            float[] prev = random(r, rows * hidden);
            float[] out = new float[rows * hidden];
            float[] saved = new float[rows * 3 * hidden];
            Cells.gruForward(rows, hidden, x, 1, xLd, h, 0, 3 * hidden, prev, 0, hidden, out, saved);
            float[] outPlain = new float[out.length];
            float[] savedPlain = new float[saved.length];
            for (int i = 0; i < rows; i++) {
                Cells.gruForwardPlain(0, hidden, x, 1 + i * xLd, h, i * 3 * hidden, prev, i * hidden, outPlain,
                        i * hidden, savedPlain, i * 3 * hidden);
            }
            assertArrayEquals(outPlain, out, "forward, hidden " + hidden);
            assertArrayEquals(savedPlain, saved, "saved, hidden " + hidden);
            float[] outUnsaved = new float[out.length];
            Cells.gruForward(rows, hidden, x, 1, xLd, h, 0, 3 * hidden, prev, 0, hidden, outUnsaved, null);
            assertArrayEquals(out, outUnsaved, "forward without saving, hidden " + hidden);

            float[] g = random(r, rows * hidden);
            float[] dX = new float[rows * 3 * hidden];
            float[] dH = new float[rows * 3 * hidden];
            float[] dPrev = new float[rows * hidden];
            Cells.gruBackward(rows, hidden, g, 0, hidden, h, 0, 3 * hidden, prev, 0, hidden, saved, dX, dH, dPrev);
            float[] dXPlain = new float[dX.length];
            float[] dHPlain = new float[dH.length];
            float[] dPrevPlain = new float[dPrev.length];
            for (int i = 0; i < rows; i++) {
                Cells.gruBackwardPlain(0, hidden, g, i * hidden, h, i * 3 * hidden, prev, i * hidden, saved,
                        i * 3 * hidden, dXPlain, dHPlain, i * 3 * hidden, dPrevPlain, i * hidden);
            }
            assertArrayEquals(dXPlain, dX, "d input gates, hidden " + hidden);
            assertArrayEquals(dHPlain, dH, "d hidden gates, hidden " + hidden);
            assertArrayEquals(dPrevPlain, dPrev, "d state, hidden " + hidden);

            double[] out64 = new double[out.length];
            double[] saved64 = new double[saved.length];
            Cells.gruForward(rows, hidden, wide(x), 1, xLd, wide(h), 0, 3 * hidden, wide(prev), 0, hidden, out64,
                    saved64);
            assertClose(out64, out, 1e-6, "forward vs float64, hidden " + hidden);
            double[] dX64 = new double[dX.length];
            double[] dH64 = new double[dH.length];
            double[] dPrev64 = new double[dPrev.length];
            Cells.gruBackward(rows, hidden, wide(g), 0, hidden, wide(h), 0, 3 * hidden, wide(prev), 0, hidden, saved64,
                    dX64, dH64, dPrev64);
            assertClose(dX64, dX, 1e-5, "d input gates vs float64, hidden " + hidden);
            assertClose(dH64, dH, 1e-5, "d hidden gates vs float64, hidden " + hidden);
            assertClose(dPrev64, dPrev, 1e-5, "d state vs float64, hidden " + hidden);
        }
    }
}
