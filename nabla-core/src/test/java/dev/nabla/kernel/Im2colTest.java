package dev.nabla.kernel;

import dev.nabla.testing.FloatBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * im2col against its definition, and the whole-span paths of im2col and col2im against the row-by-row ones, bit
 * for bit, over kernel sizes, paddings and dilations that give an output as wide as the image, and some that don't.
 */
class Im2colTest {
    /** Stride-1 geometries: "same" ones (where the span paths apply) and a few others. */
    private static java.util.List<Im2col.Geometry> geometries() {
        java.util.List<Im2col.Geometry> list = new java.util.ArrayList<>();
        for (int c : new int[] {1, 3}) {
            for (int[] hw : new int[][] {{1, 1}, {1, 5}, {4, 1}, {2, 2}, {3, 3}, {5, 7}, {14, 14}, {9, 4}}) {
                for (int[] k : new int[][] {{1, 1}, {3, 3}, {5, 5}, {3, 1}, {1, 3}, {2, 4}, {7, 7}}) {
                    for (int d : new int[] {1, 2, 3}) {
                        for (int extra : new int[] {0, 1, -1}) {
                            int ph = (d * (k[0] - 1) + (extra > 0 ? 2 : 0)) / 2;
                            int pw = (d * (k[1] - 1) + extra) / 2;
                            int h = hw[0];
                            int w = hw[1];
                            int oh = h + 2 * ph - d * (k[0] - 1);
                            int ow = w + 2 * pw - d * (k[1] - 1);
                            if (oh >= 1 && ow >= 1 && pw >= 0 && ph >= 0) {
                                list.add(new Im2col.Geometry(c, h, w, k[0], k[1], oh, ow, 1, 1, ph, pw, d, d));
                            }
                        }
                    }
                }
            }
        }
        return list;
    }

    @Test
    void im2colMatchesItsDefinitionAndTheRowPath() {
        Random r = new Random(1);
        int spans = 0;
        for (Im2col.Geometry g : geometries()) {
            spans += g.spans() ? 1 : 0;
            float[] img = new float[2 + g.c() * g.h() * g.w()];
            for (int i = 0; i < img.length; i++) {
                img[i] = (float) r.nextGaussian();
            }
            int ld = g.cols() + 3;
            float[] cols = new float[1 + g.rows() * ld];
            java.util.Arrays.fill(cols, Float.NaN);
            Im2col.im2col(g, img, 2, cols, 1, ld);
            float[] rows = cols.clone();
            Im2col.im2colRows(g, img, 2, rows, 1, ld);
            assertArrayEquals(FloatBits.of(rows), FloatBits.of(cols), g.toString());
            for (int ch = 0; ch < g.c(); ch++) {
                for (int i = 0; i < g.kh(); i++) {
                    for (int j = 0; j < g.kw(); j++) {
                        for (int y = 0; y < g.oh(); y++) {
                            for (int x = 0; x < g.ow(); x++) {
                                int iy = y - g.ph() + i * g.dh();
                                int ix = x - g.pw() + j * g.dw();
                                boolean inside = iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w();
                                float expected = inside ? img[2 + (ch * g.h() + iy) * g.w() + ix] : 0f;
                                int row = (ch * g.kh() + i) * g.kw() + j;
                                if (expected != cols[1 + row * ld + y * g.ow() + x]) {
                                    fail(g + ": row " + row + ", y " + y + ", x " + x);
                                }
                            }
                        }
                    }
                }
            }
        }
        assertTrue(spans > 100, "geometries with spans: " + spans);
    }

    @Test
    void col2imSpansMatchTheRowPathBitForBit() {
        Random r = new Random(2);
        for (Im2col.Geometry g : geometries()) {
            int ld = g.cols() + 2;
            float[] cols = new float[3 + g.rows() * ld];
            for (int i = 0; i < cols.length; i++) {
                // NaNs in the padding must vanish; −0 everywhere else must stay −0
                cols[i] = r.nextInt(50) == 0 ? Float.NaN : r.nextInt(3) == 0 ? -0f : (float) r.nextGaussian();
            }
            float[] img = new float[1 + g.c() * g.h() * g.w()];
            for (int i = 0; i < img.length; i++) {
                img[i] = r.nextInt(3) == 0 ? -0f : (float) r.nextGaussian();
            }
            float[] expected = img.clone();
            Im2col.col2imRows(g, cols.clone(), 3, expected, 1, ld);
            Im2col.col2im(g, cols.clone(), 3, img, 1, ld);
            assertArrayEquals(FloatBits.of(expected), FloatBits.of(img), g.toString());
        }
    }
}
