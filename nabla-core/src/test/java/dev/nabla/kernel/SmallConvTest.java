package dev.nabla.kernel;

import dev.nabla.testing.FloatBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The direct convolution products: the path in use (Vector API when enabled) against the plain path bit for bit,
 * and both against sums in double precision, over odd sizes, strides, padding, one to three channels.
 */
class SmallConvTest {
    /** Geometries with at most 27 column-matrix rows; output widths below, at and above the vector lengths. */
    private static final Im2col.Geometry[] GEOMETRIES = {
        geometry(1, 28, 28, 3, 1, 1),
        geometry(1, 5, 7, 3, 1, 1),
        geometry(3, 9, 11, 3, 1, 0),
        geometry(2, 13, 6, 3, 2, 1),
        geometry(1, 4, 4, 1, 1, 0),
        geometry(1, 16, 17, 5, 1, 2),
        geometry(3, 20, 20, 3, 1, 1)};

    private static Im2col.Geometry geometry(int c, int h, int w, int k, int stride, int pad) {
        int oh = (h + 2 * pad - k) / stride + 1;
        int ow = (w + 2 * pad - k) / stride + 1;
        return new Im2col.Geometry(c, h, w, k, k, oh, ow, stride, stride, pad, pad, 1, 1);
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void forwardMatchesThePlainPathAndDoublePrecision() {
        Random r = new Random(1);
        for (Im2col.Geometry g : GEOMETRIES) {
            for (int m : new int[] {1, 5, 32}) {
                for (int variant = 0; variant < 3; variant++) {
                    boolean relu = variant == 2;
                    int rows = g.rows();
                    int p = g.cols();
                    int samples = 3;
                    int xStride = g.c() * g.h() * g.w() + 1;
                    float[] x = random(r, 2 + samples * xStride);
                    x[2 + r.nextInt(samples * xStride - 1)] = Float.NaN; // NaN must come through relu
                    float[] w = random(r, 1 + m * rows);
                    float[] bias = variant == 0 ? null : random(r, 3 + m);
                    int yStride = m * p + 2;
                    float[] y = new float[5 + samples * yStride];
                    SmallConv.forward(g, x, 2, xStride, samples, w, 1, m, bias, 3, relu, y, 5, yStride);
                    float[] plain = new float[y.length];
                    float[] cols = new float[rows * p];
                    for (int s = 0; s < samples; s++) {
                        Im2col.im2col(g, x, 2 + s * xStride, cols, 0);
                        for (int ch = 0; ch < m; ch++) {
                            SmallConv.forwardRowPlain(0, p, rows, w, 1 + ch * rows, cols, bias != null,
                                    bias == null ? 0 : bias[3 + ch], relu, plain, 5 + s * yStride + ch * p);
                            for (int j = 0; j < p; j++) {
                                double sum = bias == null ? 0 : bias[3 + ch];
                                for (int k = 0; k < rows; k++) {
                                    sum += (double) w[1 + ch * rows + k] * cols[k * p + j];
                                }
                                double expected = relu && sum <= 0 ? 0 : sum;
                                float actual = y[5 + s * yStride + ch * p + j];
                                if (Double.isNaN(sum) ? !Float.isNaN(actual)
                                        : Math.abs(expected - actual) > 1e-5 * (1 + Math.abs(sum))) {
                                    fail(g + ", m " + m + ", variant " + variant + ": " + actual + ", expected "
                                            + expected);
                                }
                            }
                        }
                    }
                    assertArrayEquals(FloatBits.of(plain), FloatBits.of(y), g + ", m " + m + ", variant " + variant);
                }
            }
        }
    }

    @Test
    void weightGradMatchesThePlainPathAndDoublePrecision() {
        Random r = new Random(2);
        for (Im2col.Geometry g : GEOMETRIES) {
            for (int m : new int[] {1, 7, 32}) {
                int rows = g.rows();
                int p = g.cols();
                int samples = 4;
                int xStride = g.c() * g.h() * g.w() + 3;
                int gStride = m * p + 1;
                float[] x = random(r, 1 + samples * xStride);
                float[] grad = random(r, 2 + samples * gStride);
                float[] dw = new float[4 + m * rows];
                java.util.Arrays.fill(dw, Float.NaN); // overwritten
                SmallConv.weightGrad(g, x, 1, xStride, samples, grad, 2, gStride, m, dw, 4);
                float[] plain = new float[dw.length];
                SmallConv.weightGradPlain(SmallConv.VECTOR, g, x, 1, xStride, samples, grad, 2, gStride, m, plain, 4);
                for (int i = 0; i < 4; i++) {
                    plain[i] = Float.NaN;
                }
                assertArrayEquals(FloatBits.of(plain), FloatBits.of(dw), g + ", m " + m);
                float[] cols = new float[rows * p];
                double[] expected = new double[m * rows];
                for (int s = 0; s < samples; s++) {
                    Im2col.im2col(g, x, 1 + s * xStride, cols, 0);
                    for (int ch = 0; ch < m; ch++) {
                        for (int k = 0; k < rows; k++) {
                            for (int j = 0; j < p; j++) {
                                expected[ch * rows + k] += (double) grad[2 + s * gStride + ch * p + j] * cols[k * p + j];
                            }
                        }
                    }
                }
                float[] three = new float[m * rows];
                SmallConv.weightGradPlain(3, g, x, 1, xStride, samples, grad, 2, gStride, m, three, 0);
                for (int k = 0; k < m * rows; k++) {
                    double tolerance = 1e-5 * Math.sqrt(samples * p) * 4;
                    assertEquals(expected[k], dw[4 + k], tolerance, g + ", m " + m + " at " + k);
                    assertEquals(expected[k], three[k], tolerance, g + ", m " + m + " at " + k + ", vectors of 3");
                }
            }
        }
    }
}
