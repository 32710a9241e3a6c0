package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.GradCheck;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Convolution and pooling beyond the op harness: second derivatives through the three conv primitives and max
 * pooling, float32 against float64 on shapes large enough for the SIMD GEMM and several threads, ties, errors.
 */
class ConvTest {
    private static Tensor rnd(long seed, int... shape) {
        return Tensor.uniform(DType.FLOAT64, new Generator(seed), -1, 1, shape);
    }

    /** ‖∂⟨y, g⟩/∂x‖² + ‖∂⟨y, g⟩/∂w‖² for y = f(x, w): its gradient is a second derivative of f. */
    private static Function<Tensor[], Tensor> gradNorm(java.util.function.BiFunction<Tensor, Tensor, Tensor> f) {
        return xs -> {
            Tensor y = f.apply(xs[0], xs[1]);
            Tensor[] g = Tensor.gradients(y, new Tensor[] {xs[0], xs[1]}, xs[2], true, true);
            return g[0].square().sum().add(g[1].square().sum());
        };
    }

    @Test
    void secondDerivativesOfConv2dPassGradCheck() {
        int[] stride = {2, 1};
        int[] pad = {1, 1};
        int[] dil = {1, 2};
        Tensor x = rnd(1, 2, 4, 5, 6);
        Tensor w = rnd(2, 6, 2, 3, 2);
        Tensor g = rnd(3, x.conv2d(w, null, stride, pad, dil, 2).shape());
        GradCheck.Result r = GradCheck.check(gradNorm((a, b) -> a.conv2d(b, null, stride, pad, dil, 2)), x, w, g);
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void secondDerivativesOfConvTransposeAndMaxPoolPassGradCheck() {
        Tensor x = rnd(4, 1, 3, 3, 3);
        Tensor w = rnd(5, 3, 2, 3, 3);
        int[] one = {1};
        Tensor g = rnd(6, x.convTranspose2d(w, null, new int[] {2}, one, one, one, 1).shape());
        GradCheck.Result r = GradCheck.check(
                gradNorm((a, b) -> a.convTranspose2d(b, null, new int[] {2}, one, one, one, 1)), x, w, g);
        assertTrue(r.passed(), r.toString());

        Tensor y = Tensor.arange(0, 2 * 25, 1).mul(0.37).to(DType.FLOAT64).reshape(1, 2, 5, 5)
                .mul(rnd(7, 1, 2, 5, 5).sign());
        Tensor w2 = rnd(8, 2, 2, 1, 1);
        Tensor g2 = rnd(9, 1, 2, 3, 3);
        GradCheck.Result r2 = GradCheck.check(gradNorm((a, b) -> a.conv2d(b, null, 1, 0).maxPool2d(new int[] {3},
                new int[] {2}, new int[] {1})), y, w2, g2);
        assertTrue(r2.passed(), r2.toString());
    }

    @Test
    void float32MatchesFloat64OnALargerBatch() {
        Tensor x = rnd(10, 17, 8, 12, 12);
        Tensor w = rnd(11, 16, 8, 3, 3);
        Tensor b = rnd(12, 16);
        Tensor y64 = x.conv2d(w, b, new int[] {1}, new int[] {1}, new int[] {1}, 1);
        Tensor x32 = x.to(DType.FLOAT32).requiresGrad(true);
        Tensor w32 = w.to(DType.FLOAT32).requiresGrad(true);
        Tensor y32 = x32.conv2d(w32, b.to(DType.FLOAT32), new int[] {1}, new int[] {1}, new int[] {1}, 1);
        assertArrayEquals(y64.toDoubleArray(), y32.to(DType.FLOAT64).toDoubleArray(), 1e-4);
        Tensor x64 = x.requiresGrad(true);
        Tensor w64 = w.requiresGrad(true);
        Tensor g = rnd(13, y64.shape());
        x64.conv2d(w64, b, new int[] {1}, new int[] {1}, new int[] {1}, 1).backward(g);
        y32.backward(g.to(DType.FLOAT32));
        assertArrayEquals(x64.grad().toDoubleArray(), x32.grad().to(DType.FLOAT64).toDoubleArray(), 1e-4);
        assertArrayEquals(w64.grad().toDoubleArray(), w32.grad().to(DType.FLOAT64).toDoubleArray(), 1e-3);
    }

    /**
     * Float32 convolutions with a 3×3 kernel, stride 1, at least 16 samples and 8 channels run by Winograd's
     * F(2×2, 3×3) (when the Vector API is on): values and all three gradients against float64, which runs im2col and
     * the GEMM (gradient-checked in the op harness), for paddings 0, 1 and 2, odd sizes and a partial group of
     * samples; and the fused pooling. The larger cases of the tests above take this path too, so their bit-for-bit
     * comparisons of fused and composed ops cover it.
     */
    @Test
    void winogradMatchesFloat64() {
        int[] one = {1};
        for (int pad = 0; pad <= 2; pad++) {
            int[] p = {pad};
            Tensor x = rnd(60 + pad, 18, 9, 7, 9);
            Tensor w = rnd(63 + pad, 10, 9, 3, 3);
            Tensor b = rnd(66 + pad, 10);
            if (dev.nabla.kernel.Gemm.simdEnabled()) {
                assertTrue(Conv.winograd(18, 9, 10, w.shape(), new int[] {1, 1, pad, pad, 1, 1, 1, 0, 0}));
                assertTrue(Conv.winograd(17, 8, 16, new int[] {16, 8, 3, 3}, new int[] {1, 1, 1, 1, 1, 1, 1, 0, 0}),
                        "the larger cases of the tests above");
            }
            for (boolean pooled : new boolean[] {false, true}) {
                double[][] got = new double[2][];
                for (int d = 0; d < 2; d++) {
                    DType dtype = d == 0 ? DType.FLOAT64 : DType.FLOAT32;
                    Tensor xs = fresh(x, dtype);
                    Tensor ws = fresh(w, dtype);
                    Tensor bs = fresh(b, dtype);
                    Tensor y = pooled
                            ? xs.conv2dMaxPool(ws, bs, one, p, one, 1, true, new int[] {2}, null, new int[] {0})
                            : xs.conv2d(ws, bs, one, p, one, 1);
                    y.backward(rnd(69, y.shape()).to(dtype));
                    got[d] = concat(y.toDoubleArray(), xs.grad().toDoubleArray(), ws.grad().toDoubleArray(),
                            bs.grad().toDoubleArray());
                }
                assertArrayEquals(got[0], got[1], 2e-4, "padding " + pad + (pooled ? ", pooled" : ""));
            }
        }
    }

    /** y = x.conv2dRelu(w, b, ...) or its composition, and the gradients of ⟨y, g⟩ for x, w and b. */
    private static double[][] reluConv(boolean fused, DType dtype, Tensor x0, Tensor w0, Tensor b0, int[] stride,
            int[] pad, int groups) {
        Tensor x = fresh(x0, dtype);
        Tensor w = fresh(w0, dtype);
        Tensor b = fresh(b0, dtype);
        int[] one = {1};
        Tensor y = fused ? x.conv2dRelu(w, b, stride, pad, one, groups) : x.conv2d(w, b, stride, pad, one, groups).relu();
        y.backward(rnd(20, y.shape()).to(dtype));
        return new double[][] {y.toDoubleArray(), x.grad().toDoubleArray(), w.grad().toDoubleArray(),
            b.grad().toDoubleArray()};
    }

    /** A new leaf with t's values, so that gradients of separate runs do not add up. */
    private static Tensor fresh(Tensor t, DType dtype) {
        return Tensor.fromArray(t.toDoubleArray(), t.shape()).to(dtype).requiresGrad(true);
    }

    @Test
    void conv2dReluIsReluOfConv2dBitForBit() {
        // a first layer (the direct path for few column rows) and a wider one (GEMM), with strides and groups
        Object[][] cases = {
            {rnd(21, 5, 1, 28, 28), rnd(22, 8, 1, 3, 3), rnd(23, 8), new int[] {1}, new int[] {1}, 1},
            {rnd(24, 3, 6, 9, 7), rnd(25, 10, 3, 3, 3), rnd(26, 10), new int[] {2, 1}, new int[] {1, 0}, 2},
            {rnd(27, 17, 8, 12, 12), rnd(28, 16, 8, 3, 3), rnd(29, 16), new int[] {1}, new int[] {1}, 1}};
        for (Object[] c : cases) {
            double[] values = ((Tensor) c[0]).toDoubleArray();
            values[7] = Double.NaN; // NaN comes through relu, fused or not
            Tensor x = Tensor.fromArray(values, ((Tensor) c[0]).shape());
            for (DType dtype : DType.values()) {
                double[][] fused = reluConv(true, dtype, x, (Tensor) c[1], (Tensor) c[2], (int[]) c[3], (int[]) c[4],
                        (int) c[5]);
                double[][] composed = reluConv(false, dtype, x, (Tensor) c[1], (Tensor) c[2], (int[]) c[3],
                        (int[]) c[4], (int) c[5]);
                for (int i = 0; i < fused.length; i++) {
                    assertArrayEquals(composed[i], fused[i], dtype + " " + java.util.Arrays.toString(x.shape())
                            + ", output and gradients " + i);
                }
            }
        }
        Tensor x = rnd(30, 2, 2, 5, 5);
        Tensor w = rnd(31, 3, 2, 3, 3);
        Tensor g = rnd(32, 2, 3, 5, 5);
        int[] one = {1};
        GradCheck.Result r = GradCheck.check(xs -> xs[0].conv2dRelu(xs[1], xs[2], one, one, one, 1), x, w, rnd(33, 3));
        assertTrue(r.passed(), r.toString());
        GradCheck.Result r2 = GradCheck.check(gradNorm((a, b) -> a.conv2dRelu(b, null, one, one, one, 1)), x, w, g);
        assertTrue(r2.passed(), r2.toString());
    }

    @Test
    void anEmptyBatchGivesEmptyOutputAndZeroWeightGradients() {
        // the GEMM path (many column rows) and the direct path (one input channel, 3x3)
        int[][] shapes = {{0, 8, 6, 6}, {0, 1, 6, 6}};
        int[][] weights = {{4, 8, 3, 3}, {4, 1, 3, 3}};
        for (int c = 0; c < shapes.length * 2; c++) {
            DType dtype = DType.values()[c / shapes.length];
            Tensor x = Tensor.zeros(dtype, shapes[c % 2]).requiresGrad(true);
            Tensor w = rnd(40 + c, weights[c % 2]).to(dtype).requiresGrad(true);
            Tensor b = rnd(50 + c, 4).to(dtype).requiresGrad(true);
            int[] one = {1};
            for (boolean pooled : new boolean[] {false, true}) {
                Tensor y = pooled ? x.conv2dMaxPool(w, b, one, one, one, 1, true, new int[] {2}, null, new int[] {0})
                        : x.conv2d(w, b, one, one, one, 1);
                assertArrayEquals(pooled ? new int[] {0, 4, 3, 3} : new int[] {0, 4, 6, 6}, y.shape());
                w.zeroGrad();
                b.zeroGrad();
                y.sum().backward();
                assertArrayEquals(new double[w.numel()], w.grad().toDoubleArray(), "weight gradient of an empty batch");
                assertArrayEquals(new double[4], b.grad().toDoubleArray(), "bias gradient of an empty batch");
                assertArrayEquals(shapes[c % 2], x.grad().shape());
            }
        }
    }

    @Test
    void conv2dMaxPoolIsMaxPoolOfConv2dBitForBit() {
        // the direct path of a first layer and the GEMM path, with and without relu, groups, bias, overlapping windows
        Object[][] cases = {
            {rnd(50, 5, 1, 28, 28), rnd(51, 8, 1, 3, 3), rnd(52, 8), new int[] {1}, 1, new int[] {2}, null,
                new int[] {0}},
            {rnd(53, 3, 6, 9, 7), rnd(54, 10, 3, 3, 3), null, new int[] {0}, 2, new int[] {3}, new int[] {2},
                new int[] {1}},
            {rnd(55, 17, 8, 12, 12), rnd(56, 16, 8, 3, 3), rnd(57, 16), new int[] {1}, 1, new int[] {2}, null,
                new int[] {0}}};
        // an input that needs no gradient (a first layer) takes the fused rule's pooled path, where it applies
        int[] one = {1};
        for (Object[] c : cases) {
            for (int variant = 0; variant < 4; variant++) {
                boolean relu = variant % 2 == 1;
                boolean inputGrad = variant < 2;
                for (DType dtype : DType.values()) {
                    double[] values = ((Tensor) c[0]).toDoubleArray();
                    values[7] = Double.NaN; // NaN comes through relu and pooling in either order
                    Tensor x = Tensor.fromArray(values, ((Tensor) c[0]).shape());
                    double[][] got = new double[2][];
                    double[][] biasGrad = new double[2][];
                    for (int fused = 0; fused < 2; fused++) {
                        Tensor xs = inputGrad ? fresh(x, dtype) : x.to(dtype);
                        Tensor w = fresh((Tensor) c[1], dtype);
                        Tensor b = c[2] == null ? null : fresh((Tensor) c[2], dtype);
                        int[] pad = (int[]) c[3];
                        int groups = (int) c[4];
                        int[] k = (int[]) c[5];
                        int[] s = (int[]) c[6];
                        int[] p = (int[]) c[7];
                        Tensor y;
                        if (fused == 1) {
                            y = xs.conv2dMaxPool(w, b, one, pad, one, groups, relu, k, s, p);
                        } else {
                            Tensor z = relu ? xs.conv2dRelu(w, b, one, pad, one, groups)
                                    : xs.conv2d(w, b, one, pad, one, groups);
                            y = z.maxPool2d(k, s, p);
                        }
                        y.backward(rnd(58, y.shape()).to(dtype));
                        got[fused] = concat(y.toDoubleArray(), inputGrad ? xs.grad().toDoubleArray() : new double[0],
                                w.grad().toDoubleArray());
                        biasGrad[fused] = b == null ? new double[0] : b.grad().toDoubleArray();
                    }
                    String what = dtype + " relu " + relu + (inputGrad ? "" : ", no input gradient") + " "
                            + java.util.Arrays.toString(x.shape());
                    assertArrayEquals(got[0], got[1], what + ": values, input and weight gradients");
                    assertArrayEquals(biasGrad[0], biasGrad[1], what + ": bias gradient");
                }
            }
        }
    }

    private static double[] concat(double[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    @Test
    void maxPool2dReluIsReluOfMaxPool2dBitForBit() {
        // ties, an all-negative window, NaN and -0: values and gradients as the two ops give them, both dtypes
        double[] values = rnd(40, 3, 4, 6, 6).toDoubleArray();
        values[0] = values[1] = 0.75;
        values[12] = values[13] = values[18] = values[19] = -1.5;
        values[40] = Double.NaN;
        values[50] = -0.0;
        Tensor x0 = Tensor.fromArray(values, 3, 4, 6, 6);
        Tensor g = rnd(41, 3, 4, 3, 3);
        for (DType dtype : DType.values()) {
            for (int[][] s : new int[][][] {{{2}, {2}, {0}}, {{3}, {2}, {1}}}) {
                Tensor xa = fresh(x0, dtype);
                Tensor ya = xa.maxPool2dRelu(s[0], s[1], s[2]);
                ya.backward(g.narrow(2, 0, ya.size(2)).narrow(3, 0, ya.size(3)).contiguousCopy().to(dtype));
                Tensor xb = fresh(x0, dtype);
                Tensor yb = xb.maxPool2d(s[0], s[1], s[2]).relu();
                yb.backward(g.narrow(2, 0, yb.size(2)).narrow(3, 0, yb.size(3)).contiguousCopy().to(dtype));
                String what = dtype + " kernel " + s[0][0] + ": ";
                assertArrayEquals(yb.toDoubleArray(), ya.toDoubleArray(), what + "values");
                assertArrayEquals(xb.grad().toDoubleArray(), xa.grad().toDoubleArray(), what + "gradients");
            }
        }
    }

    @Test
    void maxPoolSendsTheGradientToTheFirstOfTiedMaxima() {
        Tensor x = Tensor.fromArray(new float[] {1, 3, 3, 0}, 1, 1, 2, 2).requiresGrad(true);
        Tensor y = x.maxPool2d(2);
        assertEquals(3.0, y.item());
        y.sum().backward();
        assertArrayEquals(new float[] {0, 1, 0, 0}, x.grad().toFloatArray());
    }

    @Test
    void errorsNameTheOpAndShapes() {
        Tensor x = Tensor.zeros(1, 3, 4, 4);
        var big = assertThrows(IllegalArgumentException.class, () -> x.conv2d(Tensor.zeros(2, 3, 7, 7), null, 1, 1));
        assertEquals("conv2d: kernel 7x7 is larger than the padded input 6x6 (input [1, 3, 4, 4], padding 1x1)",
                big.getMessage());
        var channels = assertThrows(IllegalArgumentException.class,
                () -> x.conv2d(Tensor.zeros(2, 2, 3, 3), null, 1, 0));
        assertTrue(channels.getMessage().startsWith("conv2d: input [1, 3, 4, 4] has 3 channels, weight [2, 2, 3, 3]"
                + " expects 2"), channels.getMessage());
        var groups = assertThrows(IllegalArgumentException.class, () -> x.conv2d(Tensor.zeros(4, 1, 3, 3), null,
                new int[] {1}, new int[] {0}, new int[] {1}, 2));
        assertTrue(groups.getMessage().startsWith("conv2d: groups 2 must divide the input channels 3"),
                groups.getMessage());
        var pool = assertThrows(IllegalArgumentException.class, () -> x.conv2dMaxPool(Tensor.zeros(2, 3, 3, 3), null,
                new int[] {1}, new int[] {0}, new int[] {1}, 1, true, new int[] {3}, null, new int[] {0}));
        assertEquals("conv2dMaxPool: kernel 3x3 is larger than the padded input 2x2 (input [1, 2, 2, 2], padding 0x0)",
                pool.getMessage());
        var rank = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3, 4, 4).maxPool2d(2));
        assertEquals("maxPool2d: input [3, 4, 4] must be [N, C, H, W]", rank.getMessage());
    }
}
