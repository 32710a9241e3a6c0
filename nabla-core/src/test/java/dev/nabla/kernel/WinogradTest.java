package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(2×2, 3×3) against the definition of a convolution, written here as plain loops in double precision:
 * the forward pass (bias, relu, and the fused 2×2 pooling against pooling the unfused output), the input gradient
 * and the weight gradient, for full and partial groups of samples, odd sizes and every padding taken.
 */
class WinogradTest {
    private static final int L = Gemm.simdEnabled() ? VectorWinograd.lanes() : 16;

    @AfterEach
    void resetThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        Alignment.force(-1);
    }

    /**
     * Sizes {n, c, o, h, w, ph, pw}: full and partial groups, odd sizes, all paddings 0–2, rectangular images, and
     * a batch whose lanes copies take more than one round of {@code VectorWinograd.convolve}.
     */
    private static final int[][] CASES = {
        {L, 8, 8, 6, 6, 1, 1}, {L + 5, 11, 13, 9, 7, 1, 1}, {2 * L, 8, 16, 14, 14, 1, 1}, {L, 9, 8, 5, 8, 0, 0},
        {L + 1, 8, 9, 7, 5, 2, 2}, {L, 10, 8, 6, 9, 1, 0}, {L + 3, 8, 12, 4, 4, 0, 2}, {L, 8, 8, 3, 3, 0, 0},
        {5 * L - 2, 8, 8, 62, 62, 1, 1}, // lanes copies of 8·64·64·L floats: four groups a round, so two rounds
    };

    private static float[] random(Random r, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** One term x[q][ch][yy][xx]·w[oc][ch][a][b] of output y[q][oc][i][j], by flat indices into x, w and y. */
    private interface Term {
        void add(int xAt, int wAt, int yAt);
    }

    /**
     * Every term of the convolution of sizes {@code s} = {n, c, o, h, w, ph, pw} with a 3×3 kernel, stride 1, into
     * an {@code oh×ow} output: y[q][oc][i][j] = Σ x[q][ch][i+a−ph][j+b−pw]·w[oc][ch][a][b] over the positions
     * inside the image. The definition that the three references below are written from.
     */
    private static void terms(int[] s, int oh, int ow, Term term) {
        int n = s[0], c = s[1], o = s[2], h = s[3], wd = s[4], ph = s[5], pw = s[6];
        for (int q = 0; q < n; q++) {
            for (int oc = 0; oc < o; oc++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        for (int ch = 0; ch < c; ch++) {
                            for (int a = 0; a < 3; a++) {
                                for (int b = 0; b < 3; b++) {
                                    int yy = i + a - ph;
                                    int xx = j + b - pw;
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < wd) {
                                        term.add(((q * c + ch) * h + yy) * wd + xx, ((oc * c + ch) * 3 + a) * 3 + b,
                                                ((q * o + oc) * oh + i) * ow + j);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** y = conv(x, w) (+ bias) in double, with Σ|terms| in {@code scale}. */
    private static double[] reference(float[] x, float[] w, float[] bias, int[] s, int oh, int ow, double[] scale) {
        int o = s[2];
        double[] y = new double[s[0] * o * oh * ow];
        for (int at = 0; at < y.length && bias != null; at++) {
            y[at] = bias[at / (oh * ow) % o];
            scale[at] = Math.abs(y[at]);
        }
        terms(s, oh, ow, (xAt, wAt, yAt) -> {
            double t = (double) x[xAt] * w[wAt];
            y[yAt] += t;
            scale[yAt] += Math.abs(t);
        });
        return y;
    }

    private static void assertClose(String what, double[] expected, double[] scale, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            double tolerance = 1e-5 * (scale[i] + 1e-3);
            if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " within "
                        + tolerance);
            }
        }
    }

    @Test
    void forwardMatchesTheDefinition() {
        assumeTrue(Gemm.simdEnabled(), "Winograd runs with the Vector API only");
        Random r = new Random(1);
        for (int[] s : CASES) {
            int oh = s[3] + 2 * s[5] - 2;
            int ow = s[4] + 2 * s[6] - 2;
            assertTrue(Winograd.suits(s[0], s[1], s[2], 3, 3, 1, 1, 1, 1, 1, s[5], s[6]));
            float[] x = random(r, s[0] * s[1] * s[3] * s[4]);
            float[] w = random(r, s[2] * s[1] * 9);
            float[] bias = random(r, s[2]);
            for (boolean withBias : new boolean[] {false, true}) {
                double[] scale = new double[s[0] * s[2] * oh * ow];
                double[] expected = reference(x, w, withBias ? bias : null, s, oh, ow, scale);
                float[] y = new float[expected.length];
                java.util.Arrays.fill(y, Float.NaN); // every element must be written
                Winograd.forward(x, 0, s[0], s[1], s[3], s[4], w, 0, s[2], withBias ? bias : null, 0, s[5], s[6], oh,
                        ow, false, false, y, null);
                assertClose(java.util.Arrays.toString(s) + " bias " + withBias, expected, scale, y);
                float[] relu = new float[expected.length];
                Winograd.forward(x, 0, s[0], s[1], s[3], s[4], w, 0, s[2], withBias ? bias : null, 0, s[5], s[6], oh,
                        ow, true, false, relu, null);
                for (int i = 0; i < y.length; i++) {
                    if (relu[i] != (y[i] > 0 ? y[i] : 0f) || Float.floatToRawIntBits(relu[i]) == 0x80000000) {
                        fail("relu at " + i + ": " + relu[i] + " for " + y[i]);
                    }
                }
            }
        }
    }

    @Test
    void fusedPoolingIsThePoolingOfTheOutput() {
        assumeTrue(Gemm.simdEnabled(), "Winograd runs with the Vector API only");
        Random r = new Random(2);
        for (int[] s : CASES) {
            int oh = s[3] + 2 * s[5] - 2;
            int ow = s[4] + 2 * s[6] - 2;
            if (oh < 2 || ow < 2) {
                continue;
            }
            float[] x = random(r, s[0] * s[1] * s[3] * s[4]);
            for (int i = 0; i < x.length; i += 97) {
                x[i] = i % 3 == 0 ? Float.NaN : i % 3 == 1 ? Float.POSITIVE_INFINITY : 0f; // NaN windows too
            }
            float[] w = random(r, s[2] * s[1] * 9);
            float[] bias = random(r, s[2]);
            float[] y = new float[s[0] * s[2] * oh * ow];
            Winograd.forward(x, 0, s[0], s[1], s[3], s[4], w, 0, s[2], bias, 0, s[5], s[6], oh, ow, false, false, y,
                    null);
            int pooled = s[0] * s[2] * (oh / 2) * (ow / 2);
            float[] expected = new float[pooled];
            float[] expectedIdx = new float[pooled];
            MaxPool.forward(new MaxPool.Geometry(oh, ow, 2, 2, 2, 2, 0, 0), y, 0, s[0] * s[2], expected, expectedIdx,
                    0);
            float[] out = new float[pooled];
            float[] idx = new float[pooled];
            Winograd.forward(x, 0, s[0], s[1], s[3], s[4], w, 0, s[2], bias, 0, s[5], s[6], oh, ow, false, true, out,
                    idx);
            assertArrayEquals(expectedIdx, idx, java.util.Arrays.toString(s));
            for (int i = 0; i < pooled; i++) {
                // bit for bit, except that a NaN may be any NaN: one made by arithmetic has the sign and payload of
                // whichever code made it, compiled (the processor's) or not yet (the Vector API's Java fallback),
                // so it varies with the JIT's progress (this test failed once on a fresh clone for a NaN's sign)
                boolean bothNaN = out[i] != out[i] && expected[i] != expected[i];
                if (!bothNaN && Float.floatToRawIntBits(out[i]) != Float.floatToRawIntBits(expected[i])) {
                    fail(java.util.Arrays.toString(s) + ": pooled " + i + " has bits " + Integer.toHexString(
                            Float.floatToRawIntBits(out[i])) + ", expected " + Integer.toHexString(
                            Float.floatToRawIntBits(expected[i])));
                }
            }
            boolean nan = false;
            for (float v : out) {
                nan |= v != v;
            }
            assertTrue(nan, "the case should have NaN windows");
        }
    }

    @Test
    void inputGradientMatchesTheDefinition() {
        assumeTrue(Gemm.simdEnabled(), "Winograd runs with the Vector API only");
        Random r = new Random(3);
        for (int[] s : CASES) {
            int n = s[0], c = s[1], o = s[2], h = s[3], wd = s[4], ph = s[5], pw = s[6];
            int oh = h + 2 * ph - 2;
            int ow = wd + 2 * pw - 2;
            float[] g = random(r, n * o * oh * ow);
            float[] w = random(r, o * c * 9);
            double[] expected = new double[n * c * h * wd];
            double[] scale = new double[expected.length];
            terms(s, oh, ow, (xAt, wAt, yAt) -> { // dx[xAt] += g[yAt]·w[wAt], the adjoint of each term
                double t = (double) g[yAt] * w[wAt];
                expected[xAt] += t;
                scale[xAt] += Math.abs(t);
            });
            float[] dx = new float[expected.length];
            java.util.Arrays.fill(dx, Float.NaN);
            Winograd.backwardInput(g, 0, n, o, oh, ow, w, 0, c, ph, pw, h, wd, dx);
            assertClose(java.util.Arrays.toString(s), expected, scale, dx);
        }
    }

    @Test
    void weightGradientMatchesTheDefinition() {
        assumeTrue(Gemm.simdEnabled(), "Winograd runs with the Vector API only");
        Random r = new Random(4);
        for (int[] s : CASES) {
            int n = s[0], c = s[1], o = s[2], h = s[3], wd = s[4], ph = s[5], pw = s[6];
            int oh = h + 2 * ph - 2;
            int ow = wd + 2 * pw - 2;
            float[] x = random(r, n * c * h * wd);
            float[] g = random(r, n * o * oh * ow);
            double[] expected = new double[o * c * 9];
            double[] scale = new double[expected.length];
            terms(s, oh, ow, (xAt, wAt, yAt) -> { // dw[wAt] += g[yAt]·x[xAt]
                double t = (double) g[yAt] * x[xAt];
                expected[wAt] += t;
                scale[wAt] += Math.abs(t);
            });
            float[] dw = new float[expected.length + 3];
            java.util.Arrays.fill(dw, Float.NaN);
            Winograd.backwardWeight(x, 0, n, c, h, wd, g, 0, o, oh, ow, ph, pw, dw, 3);
            assertClose(java.util.Arrays.toString(s), expected, scale, java.util.Arrays.copyOfRange(dw, 3, dw.length));
        }
    }

    @Test
    void weightGradientIgnoresWhatItsScratchHeld() {
        // the channels-last copies are zeroed only around the image, and channels past c are left as they were: a
        // call whose image covers all of that, with NaN everywhere, must not reach the next call's result
        assumeTrue(Gemm.simdEnabled(), "Winograd runs with the Vector API only");
        Parallel.setThreads(1); // one thread's scratch arrays, the same for both calls
        Random r = new Random(7);
        for (int[] s : CASES) {
            int n = s[0], c = s[1], o = s[2], h = s[3], wd = s[4], ph = s[5], pw = s[6];
            int oh = h + 2 * ph - 2;
            int ow = wd + 2 * pw - 2;
            int th = (oh + 1) / 2;
            int tw = (ow + 1) / 2;
            int cp = VectorWinograd.channels(c);
            int op = VectorWinograd.channels(o);
            float[] nanX = new float[L * cp * (2 * th + 2) * (2 * tw + 2)];
            float[] nanG = new float[L * op * (2 * th) * (2 * tw)];
            java.util.Arrays.fill(nanX, Float.NaN);
            java.util.Arrays.fill(nanG, Float.NaN);
            Winograd.backwardWeight(nanX, 0, L, cp, 2 * th + 2, 2 * tw + 2, nanG, 0, op, 2 * th, 2 * tw, 0, 0,
                    new float[op * cp * 9], 0);
            float[] x = random(r, n * c * h * wd);
            float[] g = random(r, n * o * oh * ow);
            double[] expected = new double[o * c * 9];
            double[] scale = new double[expected.length];
            terms(s, oh, ow, (xAt, wAt, yAt) -> {
                double t = (double) g[yAt] * x[xAt];
                expected[wAt] += t;
                scale[wAt] += Math.abs(t);
            });
            float[] dw = new float[expected.length];
            Winograd.backwardWeight(x, 0, n, c, h, wd, g, 0, o, oh, ow, ph, pw, dw, 0);
            assertClose("after NaN scratch, " + java.util.Arrays.toString(s), expected, scale, dw);
        }
    }

    @Test
    void resultsDoNotDependOnWhereTheScratchDataStart() {
        // the scratch matrices start at the first cache-line boundary of their arrays (Alignment): any start gives
        // the same bits
        assumeTrue(Gemm.simdEnabled(), "Winograd runs with the Vector API only");
        int offset = Alignment.offset(new float[1]);
        assertTrue(offset >= 0 && offset < Alignment.SLACK && offset % 2 == 0, "offset " + offset);
        Random r = new Random(6);
        int n = L + 5, c = 8, o = 16, h = 9, wd = 11;
        float[] x = random(r, n * c * h * wd);
        float[] w = random(r, o * c * 9);
        float[] g = random(r, n * o * h * wd);
        float[] first = null;
        for (int start : new int[] {0, 6, 14}) {
            Alignment.force(start);
            float[] all = allThreePasses(n, c, o, h, wd, x, w, g, true);
            if (first == null) {
                first = all;
            } else {
                assertArrayEquals(first, all, "scratch data from index " + start);
            }
        }
    }

    @Test
    void resultsAreTheSameOnOneAndTwoThreads() {
        assumeTrue(Gemm.simdEnabled(), "Winograd runs with the Vector API only");
        Random r = new Random(5);
        int n = 4 * L + 3, c = 16, o = 24, h = 10, wd = 10;
        float[] x = random(r, n * c * h * wd);
        float[] w = random(r, o * c * 9);
        float[] g = random(r, n * o * h * wd);
        float[][] results = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            results[threads - 1] = allThreePasses(n, c, o, h, wd, x, w, g, false);
        }
        assertArrayEquals(results[0], results[1]);
    }

    /** The forward (padding 1, no bias, no pooling), input gradient and weight gradient, one after the other. */
    private static float[] allThreePasses(int n, int c, int o, int h, int wd, float[] x, float[] w, float[] g,
            boolean relu) {
        float[] y = new float[n * o * h * wd];
        float[] dx = new float[n * c * h * wd];
        float[] dw = new float[o * c * 9];
        Winograd.forward(x, 0, n, c, h, wd, w, 0, o, null, 0, 1, 1, h, wd, relu, false, y, null);
        Winograd.backwardInput(g, 0, n, o, h, wd, w, 0, c, 1, 1, h, wd, dx);
        Winograd.backwardWeight(x, 0, n, c, h, wd, g, 0, o, h, wd, 1, 1, dw, 0);
        float[] all = new float[y.length + dx.length + dw.length];
        System.arraycopy(y, 0, all, 0, y.length);
        System.arraycopy(dx, 0, all, y.length, dx.length);
        System.arraycopy(dw, 0, all, y.length + dx.length, dw.length);
        return all;
    }

    @Test
    void onlyTheShapesItTakes() {
        assumeTrue(Gemm.simdEnabled(), "Winograd runs with the Vector API only");
        assertTrue(Winograd.suits(L, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1));
        assertFalse(Winograd.suits(L - 1, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1), "fewer samples than lanes");
        assertFalse(Winograd.suits(L, 7, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1), "too few input channels");
        assertFalse(Winograd.suits(L, 8, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1), "too few output channels");
        assertFalse(Winograd.suits(L, 8, 8, 5, 5, 1, 1, 1, 1, 1, 1, 1), "5×5 kernel");
        assertFalse(Winograd.suits(L, 8, 8, 3, 3, 2, 1, 1, 1, 1, 1, 1), "stride 2");
        assertFalse(Winograd.suits(L, 8, 8, 3, 3, 1, 1, 2, 1, 1, 1, 1), "dilation 2");
        assertFalse(Winograd.suits(L, 8, 8, 3, 3, 1, 1, 1, 1, 2, 1, 1), "two groups");
        assertFalse(Winograd.suits(L, 8, 8, 3, 3, 1, 1, 1, 1, 1, 3, 1), "padding 3");
    }
}
