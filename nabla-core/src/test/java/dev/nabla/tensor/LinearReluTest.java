package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.kernel.Parallel;
import org.junit.jupiter.api.Test;

/**
 * {@code linearRelu} (the bias and relu applied inside the matrix product, relu's mask taken from the output in the
 * backward pass) against {@code linear(...).relu()} composed: the same values and gradients, bit for bit, in both
 * dtypes, for shapes that take each GEMM kernel. Its gradients against finite differences and PyTorch are in
 * {@link OpHarnessTest}.
 */
class LinearReluTest {
    /** {x, weight, bias or null} shapes: the NT kernel for few rows, the packed kernel, a rank-3 input without bias. */
    private static final int[][][] SHAPES = {
        {{40, 300}, {70, 300}, {70}},
        {{150, 90}, {33, 90}, {33}},
        {{2, 5, 33}, {20, 33}, null},
        {{3, 4}, {5, 4}, {5}},
    };

    @Test
    void sameValuesAndGradientsAsLinearThenRelu() {
        int saved = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (DType dtype : DType.values()) {
                    for (int[][] s : SHAPES) {
                        check(dtype, s, threads);
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    private static void check(DType dtype, int[][] s, int threads) {
        String what = dtype + " x " + Shapes.str(s[0]) + " threads " + threads;
        Generator g = new Generator(5);
        Tensor x = Tensor.uniform(dtype, g, -1, 1, s[0]).requiresGrad(true);
        Tensor w = Tensor.uniform(dtype, g, -1, 1, s[1]).requiresGrad(true);
        Tensor b = s[2] == null ? null : Tensor.uniform(dtype, g, -1, 1, s[2]).requiresGrad(true);
        Tensor[] inputs = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
        Tensor composed = x.linear(w, b).relu();
        Tensor seed = Tensor.uniform(dtype, g, -1, 1, composed.shape());
        Tensor[] expected = Tensor.gradients(composed, inputs, seed, false, false);
        Tensor fused = x.linearRelu(w, b);
        assertEquals(Prim.LINEAR, fused.gradFn(), what);
        Tensor[] actual = Tensor.gradients(fused, inputs, seed, false, false);
        assertArrayEquals(composed.toDoubleArray(), fused.toDoubleArray(), 0.0, what + ": values");
        double[] values = fused.toDoubleArray();
        int zeros = 0;
        for (double v : values) {
            zeros += v == 0 ? 1 : 0;
        }
        assertTrue(zeros > 0 && zeros < values.length, what + ": some outputs cut by relu, not all");
        for (int i = 0; i < inputs.length; i++) {
            assertArrayEquals(expected[i].toDoubleArray(), actual[i].toDoubleArray(), 0.0, what + ": gradient " + i);
        }
    }

    /** NaN goes through as relu lets it (PyTorch's relu keeps NaN), and gets no gradient, as in the composed ops. */
    @Test
    void nanIsKeptAsReluKeepsIt() {
        for (DType dtype : DType.values()) {
            Generator g = new Generator(6);
            Tensor x = Tensor.uniform(dtype, g, -1, 1, 40, 50);
            Tensor w = Tensor.uniform(dtype, g, -1, 1, 24, 50);
            Tensor b = Tensor.uniform(dtype, g, -1, 1, 24);
            double[] data = b.toDoubleArray();
            data[7] = Double.NaN;
            Tensor nanBias = Tensor.fromArray(data, 24).to(dtype);
            double[] fused = x.linearRelu(w, nanBias).toDoubleArray();
            assertArrayEquals(x.linear(w, nanBias).relu().toDoubleArray(), fused, 0.0, dtype.toString());
            assertTrue(Double.isNaN(fused[7]) && Double.isNaN(fused[24 + 7]), dtype + ": column 7 is NaN");
        }
    }

    /** With createGraph the fused op's gradient is itself differentiable, as the composed ops' is. */
    @Test
    void secondOrderGradientsMatchTheComposedOps() {
        Generator g = new Generator(7);
        Tensor x = Tensor.uniform(DType.FLOAT64, g, -1, 1, 6, 5).requiresGrad(true);
        Tensor w = Tensor.uniform(DType.FLOAT64, g, -1, 1, 4, 5).requiresGrad(true);
        Tensor b = Tensor.uniform(DType.FLOAT64, g, -1, 1, 4).requiresGrad(true);
        double[][] results = new double[2][];
        for (int fused = 0; fused < 2; fused++) {
            Tensor y = fused == 1 ? x.linearRelu(w, b) : x.linear(w, b).relu();
            Tensor gx = Tensor.gradients(y.square().sum(), new Tensor[] {x}, null, true, true)[0];
            Tensor gw = Tensor.gradients(gx.square().sum(), new Tensor[] {w}, null, false, false)[0];
            results[fused] = gw.toDoubleArray();
        }
        assertArrayEquals(results[0], results[1], 1e-12);
        assertTrue(java.util.Arrays.stream(results[1]).anyMatch(v -> v != 0), "a non-zero second-order gradient");
    }
}
