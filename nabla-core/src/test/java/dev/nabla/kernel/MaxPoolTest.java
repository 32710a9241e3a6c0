package dev.nabla.kernel;

import dev.nabla.testing.FloatBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Max pooling: the 2×2 path in use (Vector API when enabled) and the plain path agree bit for bit with a reference
 * scan of each window, on values full of ties, signed zeros, infinities and NaNs, odd sizes and offsets.
 */
class MaxPoolTest {
    private static final int[][] SIZES = {{2, 2}, {2, 3}, {3, 2}, {3, 3}, {4, 4}, {5, 7}, {7, 7}, {14, 14},
        {28, 28}, {9, 30}};

    /** Values from a few levels, so windows tie often; some ±0, ±∞ and NaNs when {@code specials}. */
    private static float[] values(Random r, int n, boolean specials) {
        float[] a = new float[n];
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0x7fc01234)};
        for (int i = 0; i < n; i++) {
            a[i] = specials && r.nextInt(20) == 0 ? special[r.nextInt(special.length)] : r.nextInt(5) - 2;
        }
        return a;
    }

    /** The definition: scan each window in row-major order, keep the first strictly greater value or first NaN. */
    private static void reference(float[] x, int xOff, int planes, int h, int w, float[] out, float[] idx,
            int outOff) {
        int oh = h / 2;
        int ow = w / 2;
        for (int q = 0; q < planes; q++) {
            for (int y = 0; y < oh; y++) {
                for (int xx = 0; xx < ow; xx++) {
                    float best = 0;
                    int arg = -1;
                    for (int i = 2 * y; i < 2 * y + 2 && !(arg >= 0 && best != best); i++) {
                        for (int j = 2 * xx; j < 2 * xx + 2 && !(arg >= 0 && best != best); j++) {
                            float v = x[xOff + q * h * w + i * w + j];
                            if (arg < 0 || v > best || v != v) {
                                best = v;
                                arg = i * w + j;
                            }
                        }
                    }
                    out[outOff + (q * oh + y) * ow + xx] = best;
                    idx[outOff + (q * oh + y) * ow + xx] = arg;
                }
            }
        }
    }

    @Test
    void forwardPathsMatchTheReferenceScan() {
        Random r = new Random(5);
        for (int[] size : SIZES) {
            for (int planes : new int[] {1, 3, 37}) {
                for (boolean specials : new boolean[] {false, true}) {
                    int h = size[0];
                    int w = size[1];
                    int n = planes * (h / 2) * (w / 2);
                    float[] x = values(r, 3 + planes * h * w, specials);
                    float[] expected = new float[n + 2];
                    float[] expectedIdx = new float[n + 2];
                    reference(x, 3, planes, h, w, expected, expectedIdx, 2);
                    float[] out = new float[n + 2];
                    float[] idx = new float[n + 2];
                    MaxPool.forward(new MaxPool.Geometry(h, w, 2, 2, 2, 2, 0, 0), x, 3, planes, out, idx, 2);
                    String where = h + "x" + w + ", " + planes + " planes, specials " + specials;
                    assertArrayEquals(FloatBits.of(expected), FloatBits.of(out), "values, " + where);
                    assertArrayEquals(expectedIdx, idx, "positions, " + where);
                    float[] plain = new float[n + 2];
                    float[] plainIdx = new float[n + 2];
                    MaxPool.forward2x2Plain(h, w, x, 3, plain, plainIdx, 2, 0, n);
                    assertArrayEquals(FloatBits.of(expected), FloatBits.of(plain), "plain values, " + where);
                    assertArrayEquals(expectedIdx, plainIdx, "plain positions, " + where);
                }
            }
        }
    }

    @Test
    void generalWindowsKeepTheFirstMaximumAndTheFirstNaN() {
        // 3×3 windows, stride 2, padding 1 over a 4×4 plane: windows overlap and are clipped by the padding
        float nan = Float.intBitsToFloat(0x7fc00007);
        float[] x = {
            1, -5, -0f, 0,
            -5, -5, 0, -5,
            -1, -5, nan, 3,
            -2, -3, Float.NaN, 0};
        float[] out = new float[4];
        float[] idx = new float[4];
        MaxPool.forward(new MaxPool.Geometry(4, 4, 3, 3, 2, 2, 1, 1), x, 0, 1, out, idx, 0);
        assertArrayEquals(FloatBits.of(new float[] {1, -0f, -1, nan}), FloatBits.of(out));
        assertArrayEquals(new float[] {0, 2, 8, 10}, idx);
    }

    @Test
    void gradientPlanesMatchTheScatterBitForBit() {
        // every plane of a batch written side by side (as the backward pass writes them), with and without a relu's
        // mask and a column of sums; gradients with ±0, ±∞ and NaN, masks with ±0 and NaN
        Random r = new Random(6);
        for (int[] size : SIZES) {
            for (boolean masked : new boolean[] {false, true}) {
                int h = size[0];
                int w = size[1];
                int planes = 5;
                int plane = h * w;
                int outPlane = (h / 2) * (w / 2);
                MaxPool.Geometry geo = new MaxPool.Geometry(h, w, 2, 2, 2, 2, 0, 0);
                float[] x = values(r, planes * plane, false);
                float[] pooled = new float[planes * outPlane];
                float[] idx = new float[planes * outPlane + MaxPool.ROOM];
                MaxPool.forward(geo, x, 0, planes, pooled, idx, 0);
                float[] g = values(r, 1 + planes * outPlane + MaxPool.ROOM, true);
                float[] mask = masked ? values(r, 2 + planes * outPlane + MaxPool.ROOM, true) : null;
                float[] out = values(r, 3 + planes * plane + 7, true); // overwritten: no zeroing needed
                float[] after = java.util.Arrays.copyOfRange(out, 3 + planes * plane, out.length);
                float[] column = values(r, 4 + plane + MaxPool.ROOM, false);
                float[] expected = new float[out.length];
                System.arraycopy(out, 0, expected, 0, out.length);
                float[] expectedColumn = column.clone();
                // plane 0 alone with room after it (overwritten next), planes 1-2 as a batch with positions that
                // end with the array (its last plane is scattered), planes 3-4 as a batch that must not write past
                float[] exact = java.util.Arrays.copyOf(idx, 3 * outPlane);
                MaxPool.gradientPlanes(geo, 1, g, 1, idx, 0, mask, 2, out, 3, column, 4, true);
                MaxPool.gradientPlanes(geo, 2, g, 1 + outPlane, exact, outPlane, mask, 2 + outPlane, out, 3 + plane,
                        column, 4, false);
                MaxPool.gradientPlanes(geo, 2, g, 1 + 3 * outPlane, idx, 3 * outPlane, mask, 2 + 3 * outPlane, out,
                        3 + 3 * plane, column, 4, false);
                for (int q = 0; q < planes; q++) {
                    // the definition: +0 everywhere, then each (masked) gradient added at its argmax
                    java.util.Arrays.fill(expected, 3 + q * plane, 3 + (q + 1) * plane, 0f);
                    for (int i = 0; i < outPlane; i++) {
                        int at = q * outPlane + i;
                        boolean kept = mask == null || mask[2 + at] > 0;
                        expected[3 + q * plane + (int) idx[at]] += kept ? g[1 + at] : 0f;
                    }
                    for (int j = 0; j < plane; j++) {
                        expectedColumn[4 + j] += expected[3 + q * plane + j];
                    }
                }
                String where = h + "x" + w + (masked ? ", masked" : "");
                assertArrayEquals(FloatBits.of(expected), FloatBits.of(out), "planes, " + where);
                assertArrayEquals(FloatBits.of(after), FloatBits.of(java.util.Arrays.copyOfRange(out,
                        3 + planes * plane, out.length)), "nothing written after the planes, " + where);
                assertArrayEquals(FloatBits.of(expectedColumn), FloatBits.of(column), "column, " + where);
            }
        }
    }

    @Test
    void theMaskIsPositiveWithoutABranch() {
        float[] positive = {Float.MIN_VALUE, 1e-30f, 1f, Float.MAX_VALUE, Float.POSITIVE_INFINITY};
        float[] not = {0f, -0f, -Float.MIN_VALUE, -1f, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xffc00000)};
        for (float v : positive) {
            assertEquals(-1, MaxPool.positive(v), "positive " + v);
        }
        for (float v : not) {
            assertEquals(0, MaxPool.positive(v), "not positive " + Integer.toHexString(Float.floatToRawIntBits(v)));
        }
    }
}
