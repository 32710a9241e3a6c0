package dev.nabla.kernel;

import java.util.Random;

/**
 * A probe for tools/SideBySide.java: the three Winograd passes of the CNN's second convolution (batch 64, 32 → 64
 * channels, 14×14, padding 1; the forward with its 2×2 pooling), 20 calls each, milliseconds a call. Threads from
 * the system property {@code t} (1 by default).
 */
public class WinogradPasses {
    private static float[] x;
    private static float[] wt;
    private static float[] b;
    private static float[] g;
    private static float[] pooled;
    private static float[] idx;
    private static float[] dx;
    private static float[] dw;

    public static double[] rep() {
        Parallel.setThreads(Integer.getInteger("t", 1));
        int n = 64;
        int c = 32;
        int o = 64;
        int h = 14;
        int w = 14;
        if (x == null) {
            Random r = new Random(1);
            x = gaussian(r, n * c * h * w);
            wt = gaussian(r, o * c * 9);
            g = gaussian(r, n * o * h * w);
            b = new float[o];
            pooled = new float[n * o * 49];
            idx = new float[n * o * 49];
            dx = new float[n * c * h * w];
            dw = new float[o * c * 9];
        }
        double[] t = new double[3];
        int calls = 20;
        for (int k = 0; k < 3; k++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                if (k == 0) {
                    Winograd.forward(x, 0, n, c, h, w, wt, 0, o, b, 0, 1, 1, h, w, false, true, pooled, idx);
                } else if (k == 1) {
                    Winograd.backwardInput(g, 0, n, o, h, w, wt, 0, c, 1, 1, h, w, dx);
                } else {
                    Winograd.backwardWeight(x, 0, n, c, h, w, g, 0, o, h, w, 1, 1, dw, 0);
                }
            }
            t[k] = (System.nanoTime() - t0) / 1e6 / calls;
        }
        return t;
    }

    private static float[] gaussian(Random r, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
