package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fused loops: the Vector API and plain paths agree bit for bit, and both match the formulas. */
class FusedTest {
    private static float[] random(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    @Test
    void adamVectorAndPlainPathsAgreeAndFlushDenormals() {
        Random r = new Random(1);
        for (int n : new int[] {1, 15, 16, 17, 100, 1000}) {
            float[] p = random(r, n, 1);
            float[] g = random(r, n, 0.1f);
            float[] m = random(r, n, 0.01f);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = Math.abs(random(r, 1, 0.001f)[0]);
            }
            m[0] = 1e-39f; // below Float.MIN_NORMAL after decay: must become exactly 0
            g[0] = 0;
            p[0] = 0;
            float[] p2 = p.clone();
            float[] m2 = m.clone();
            float[] v2 = v.clone();
            Fused.adam(p, g, m, v, 0.9f, 0.1f, 0.999f, 0.001f, 0.01f, 1f, 0.001f, 1.2f, 1e-8f);
            Fused.adamPlain(0, p2.length, p2, g, m2, v2, 0.9f, 0.1f, 0.999f, 0.001f, 0.01f, 1f, 0.001f, 1.2f, 1e-8f);
            assertArrayEquals(p2, p, "p, n=" + n);
            assertArrayEquals(m2, m, "m, n=" + n);
            assertArrayEquals(v2, v, "v, n=" + n);
            assertEquals(0f, m[0]);
        }
    }

    @Test
    void adamMatchesItsFormula() {
        float[] p = {1f};
        float[] m = {0.5f};
        float[] v = {0.25f};
        Fused.adam(p, new float[] {2f}, m, v, 0.9f, 0.1f, 0.99f, 0.01f, 0f, 1f, 0.1f, 1f, 0f);
        float mExpected = 0.9f * 0.5f + 0.1f * 2f;
        float vExpected = 0.99f * 0.25f + 0.01f * 4f;
        assertEquals(mExpected, m[0]);
        assertEquals(vExpected, v[0]);
        assertEquals(1f - 0.1f * (mExpected / (float) Math.sqrt(vExpected)), p[0], 1e-7f);
    }

    @Test
    void reluAndItsGradient() {
        float[] x = new float[37];
        float[] g = new float[37];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 3 == 0 ? -i : i;
            g[i] = 100 + i;
        }
        x[5] = Float.NaN;
        float[] y = new float[37];
        float[] gx = new float[37];
        Fused.relu(x, y, 37);
        Fused.reluBackward(x, g, gx, 37);
        for (int i = 0; i < x.length; i++) {
            float expected = i == 5 ? Float.NaN : (i % 3 == 0 ? 0 : i);
            assertEquals(expected, y[i], "relu at " + i);
            assertEquals(i % 3 == 0 || i == 5 ? 0 : 100 + i, gx[i], "relu' at " + i);
        }
    }

    @Test
    void biasReluAddsTheBiasThenKeepsPositivesAndNaN() {
        float[] a = new float[41];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 5 - 2) * 0.75f;
        }
        a[3] = Float.NaN;
        a[38] = Float.NaN;
        for (boolean relu : new boolean[] {false, true}) {
            float[] out = new float[a.length + 2];
            Fused.biasRelu(a, 1, 0.5f, relu, out, 2, a.length - 1);
            for (int j = 0; j < a.length - 1; j++) {
                float v = a[1 + j] + 0.5f;
                assertEquals(relu && v <= 0 ? 0f : v, out[2 + j], "relu " + relu + " at " + j);
            }
        }
    }

    @Test
    void addRowBiasActInPlaceAndSumRows() {
        int rows = 3;
        int cols = 35;
        float[] a = new float[rows * cols];
        float[] row = new float[cols];
        for (int j = 0; j < cols; j++) {
            row[j] = j;
            for (int r = 0; r < rows; r++) {
                a[r * cols + j] = 1000 * r + j;
            }
        }
        float[] out = new float[rows * cols];
        Fused.addRow(a, row, out, rows, cols);
        float[] inPlace = a.clone();
        for (int r = 0; r < rows; r++) {
            Fused.biasActInPlace(inPlace, r * cols, row, 0, false, cols);
        }
        assertArrayEquals(out, inPlace);
        float[] acc = new float[cols];
        Fused.sumRows(a, 0, rows, cols, acc);
        for (int j = 0; j < cols; j++) {
            for (int r = 0; r < rows; r++) {
                assertEquals(1000 * r + 2 * j, out[r * cols + j]);
            }
            assertEquals(3000 + 3 * j, acc[j]);
        }
        // relu without bias, from an offset, over a vector block and a tail: NaN kept, -0 and negatives to +0
        float[] x = new float[40];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 7 - 3) * 0.5f;
        }
        x[5] = Float.NaN;
        x[37] = Float.NaN;
        x[9] = -0f;
        float[] y = x.clone();
        Fused.biasActInPlace(y, 2, null, 0, true, 37);
        for (int i = 0; i < x.length; i++) {
            float expected = i < 2 || i >= 39 ? x[i] : Float.isNaN(x[i]) ? Float.NaN : x[i] > 0 ? x[i] : 0f;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[i]), "element " + i);
        }
    }

    @Test
    void sumOuterInnerSumsTheFirstAndLastDimensions() {
        Random r = new Random(3);
        for (int[] shape : new int[][] {{1, 1, 1}, {2, 3, 1}, {3, 2, 15}, {4, 5, 17}, {64, 3, 33}, {5, 70, 1000}}) {
            int outer = shape[0];
            int mid = shape[1];
            int inner = shape[2];
            float[] x = new float[7 + outer * mid * inner];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(2001) - 1000; // integers: every partial sum is exact, in any order
            }
            float[] out = new float[mid];
            Fused.sumOuterInner(x, 7, outer, mid, inner, out);
            for (int k = 0; k < mid; k++) {
                double expected = 0;
                for (int a = 0; a < outer; a++) {
                    for (int b = 0; b < inner; b++) {
                        expected += x[7 + (a * mid + k) * inner + b];
                    }
                }
                assertEquals((float) expected, out[k], java.util.Arrays.toString(shape) + " at " + k);
            }
        }
    }
}
