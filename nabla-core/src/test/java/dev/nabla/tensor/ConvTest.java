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
        var rank = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3, 4, 4).maxPool2d(2));
        assertEquals("maxPool2d: input [3, 4, 4] must be [N, C, H, W]", rank.getMessage());
    }
}
