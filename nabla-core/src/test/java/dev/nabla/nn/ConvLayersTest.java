package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.GradCheck;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Prim;
import dev.nabla.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Convolution, pooling, dropout and normalisation layers: shapes, modes, configs, errors. */
class ConvLayersTest {
    @Test
    void conv2dBuildsFromInputShapeWithSameAndValidPadding() {
        Conv2d same = Conv2d.of(8, 3, "same", Activation.RELU);
        assertArrayEquals(new int[] {8, 28, 28}, same.build(new int[] {3, 28, 28}, new Generator(1)));
        assertArrayEquals(new int[] {8, 3, 3, 3}, same.weight().shape());
        assertEquals(8 * 3 * 9 + 8, same.parameterCount());
        Conv2d valid = Conv2d.of(4, 5, "valid", Activation.LINEAR);
        assertArrayEquals(new int[] {4, 24, 20}, valid.build(new int[] {1, 28, 24}, new Generator(1)));
        // "same" with stride 2 and an even kernel pads asymmetrically: ⌈5/2⌉ = 3, ⌈4/1⌉ = 4
        Conv2d strided = new Conv2d(2, new int[] {2}, new int[] {2, 1}, "same", null, new int[] {1}, 1, true,
                Activation.LINEAR, Init.GLOROT_UNIFORM, Init.ZEROS);
        assertArrayEquals(new int[] {2, 3, 4}, strided.build(new int[] {1, 5, 4}, new Generator(1)));
        Conv1d conv1 = Conv1d.of(6, 3, "same", Activation.TANH);
        assertArrayEquals(new int[] {6, 10}, conv1.build(new int[] {2, 10}, new Generator(1)));
        assertArrayEquals(new int[] {6, 2, 3}, conv1.weight().shape());
    }

    @Test
    void torchStyleConv2dHasTorchDefaultInitialisation() {
        Conv2d conv = new Conv2d(3, 5, 3, 1, 1, new Generator(7));
        double bound = 1 / Math.sqrt(3 * 9);
        for (float v : conv.weight().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
        for (float v : conv.bias().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound && v != 0);
        }
        assertArrayEquals(new int[] {2, 5, 6, 6}, conv.forward(Tensor.zeros(2, 3, 6, 6)).shape());
    }

    @Test
    void sequentialRunsConvReluAndMaxPoolAsOneOpWithTheSameValuesAndGradients() {
        // Sequential runs the two as one op (in float32); layer by layer they run as written
        Conv2d conv = Conv2d.of(4, 3, "same", Activation.RELU);
        MaxPool2d pool = new MaxPool2d(2);
        Sequential net = new Sequential(conv, pool, new Flatten());
        net.build(new int[] {2, 6, 6}, new Generator(5));
        double[] values = Tensor.uniform(new Generator(6), -1, 1, 3, 2, 6, 6).toDoubleArray();
        values[9] = Double.NaN; // NaN comes through both orders in float32
        Tensor x = Tensor.fromArray(values, 3, 2, 6, 6).to(DType.FLOAT32);
        Tensor g = Tensor.uniform(new Generator(7), -1, 1, 3, 36);
        double[][] fused = run(net::forward, x, g, conv);
        double[][] apart = run(t -> pool.forward(conv.forward(t)).reshape(3, 36), x, g, conv);
        assertArrayEquals(apart[0], fused[0], "output");
        assertArrayEquals(apart[1], fused[1], "weight gradient");
        assertArrayEquals(apart[2], fused[2], "bias gradient");
        assertTrue(java.util.Arrays.stream(fused[0]).anyMatch(Double::isNaN), "the NaN reached the output");
        assertTrue(java.util.Arrays.stream(fused[0]).anyMatch(v -> v == 0), "some windows were all negative");
    }

    /**
     * Written PyTorch's way, a convolution without activation followed by a ReLU layer (and a MaxPool2d, or not) runs
     * as the same fused op as a convolution with a relu of its own, with the layers' values and gradients bit for bit.
     */
    @Test
    void sequentialFusesAReluLayerAfterAConvolution() {
        Conv2d conv = new Conv2d(2, 4, 3, 1, 1, new Generator(5));
        ReLU relu = new ReLU();
        MaxPool2d pool = new MaxPool2d(2);
        Tensor x = Tensor.uniform(DType.FLOAT32, new Generator(6), -1, 1, 3, 2, 6, 6);
        Sequential withPool = new Sequential(conv, relu, pool, new Flatten());
        Tensor y = withPool.forward(x);
        assertEquals(Prim.CONV2D_MAXPOOL, y.gradFnInputs()[0].gradFn());
        assertTrue(y.gradFnInputs()[0].gradFnFusedRelu());
        Tensor g = Tensor.uniform(new Generator(7), -1, 1, 3, 36).to(DType.FLOAT32);
        double[][] fused = run(withPool::forward, x, g, conv);
        double[][] apart = run(t -> pool.forward(relu.forward(conv.forward(t))).reshape(3, 36), x, g, conv);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(apart[i], fused[i], "output, weight and bias gradients: " + i);
        }
        assertTrue(java.util.Arrays.stream(fused[0]).anyMatch(v -> v == 0), "some windows were all negative");

        Sequential noPool = new Sequential(conv, relu);
        Tensor z = noPool.forward(x);
        assertEquals(Prim.CONV2D, z.gradFn());
        assertTrue(z.gradFnFusedRelu());
        Tensor gz = Tensor.uniform(new Generator(8), -1, 1, z.shape()).to(DType.FLOAT32);
        double[][] fusedConv = run(noPool::forward, x, gz, conv);
        double[][] apartConv = run(t -> relu.forward(conv.forward(t)), x, gz, conv);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(apartConv[i], fusedConv[i], "conv + relu: " + i);
        }
        // a convolution with an activation of its own keeps a ReLU layer after it as it is
        Sequential sigmoid = new Sequential(Conv2d.of(4, 3, "same", Activation.SIGMOID), new ReLU());
        sigmoid.build(new int[] {2, 6, 6}, new Generator(9));
        assertEquals(Prim.RELU, sigmoid.forward(x).gradFn());
    }

    /** The output of f(x) and the gradients of ⟨f(x), g⟩ for the convolution's weight and bias. */
    private static double[][] run(java.util.function.UnaryOperator<Tensor> f, Tensor x, Tensor g, Conv2d conv) {
        conv.zeroGrad();
        Tensor y = f.apply(x);
        y.backward(g);
        return new double[][] {y.toDoubleArray(), conv.weight().grad().toDoubleArray(),
            conv.bias().grad().toDoubleArray()};
    }

    @Test
    void errorsNameTheLayerAndShapes() {
        Sequential tooSmall = new Sequential(Conv2d.of(8, 5, "valid", Activation.RELU));
        var e = assertThrows(IllegalArgumentException.class, () -> tooSmall.build(new int[] {1, 3, 3}, new Generator(1)));
        assertEquals("layer 0 (Conv2d): Conv2d(1 -> 8, 5x5, padding=valid, activation=relu): conv2d: kernel 5x5 is larger than the"
                + " padded input 3x3 (input [1, 1, 3, 3], padding 0x0)", e.getMessage());
        Conv2d conv = new Conv2d(3, 4, 3, 1, 0, new Generator(1));
        var channels = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(1, 2, 5, 5)));
        assertEquals("Conv2d(3 -> 4, 3x3): input of shape [1, 2, 5, 5] must be [N, 3, H, W]", channels.getMessage());
        Conv2d grouped = new Conv2d(2, new int[] {3}, new int[] {1}, "same", null, new int[] {1}, 2, true,
                Activation.LINEAR, Init.GLOROT_UNIFORM, Init.ZEROS);
        var groups = assertThrows(IllegalArgumentException.class, () -> grouped.build(new int[] {3, 4, 4},
                new Generator(1)));
        assertTrue(groups.getMessage().contains("groups 2 must divide the 3 input channels"), groups.getMessage());
        var rank = assertThrows(IllegalArgumentException.class, () -> Conv2d.of(4, 3, "same", Activation.RELU)
                .build(new int[] {28, 28}, new Generator(1)));
        assertTrue(rank.getMessage().contains("input shape [28, 28] must be [C, H, W]"), rank.getMessage());
    }

    @Test
    void configsRoundTripThroughTheRegistry() {
        Sequential net = new Sequential(new ZeroPad2d(1, 0, 2, 1), Conv2d.of(4, 3, "same", Activation.RELU),
                new BatchNorm2d(4), new MaxPool2d(2), new AvgPool2d(new int[] {2}, new int[] {1}, new int[] {1}),
                new GlobalAvgPool2d(), new LayerNorm(4), new Dropout(0.25), Linear.dense(3));
        int[] out = net.build(new int[] {2, 8, 7}, new Generator(3));
        assertArrayEquals(new int[] {3}, out);
        Map<String, Object> config = Layers.toConfig(net);
        Module copy = Layers.builtin().fromConfig(config, "network");
        assertArrayEquals(out, copy.build(new int[] {2, 8, 7}, new Generator(4)));
        assertEquals(config, Layers.toConfig(copy));
        copy.loadStateDict(net.stateDict(), true);
        net.eval();
        copy.eval();
        Tensor x = Tensor.randn(new Generator(5), 3, 2, 8, 7);
        assertArrayEquals(net.forward(x).toFloatArray(), copy.forward(x).toFloatArray());
        Conv1d c1 = (Conv1d) Layers.builtin().fromConfig(Layers.toConfig(new Conv1d(2, 3, 3, 2, 1, new Generator(1))),
                "c1");
        assertArrayEquals(new int[] {3, 5}, c1.build(new int[] {2, 9}, new Generator(1)));
    }

    @Test
    void dropoutDropsAndScalesInTrainingAndIsIdentityInEval() {
        Dropout d = new Dropout(0.5, new Generator(11));
        Tensor x = Tensor.ones(10000);
        float[] y = d.forward(x).toFloatArray();
        int zeros = 0;
        for (float v : y) {
            assertTrue(v == 0f || v == 2f, "value " + v);
            zeros += v == 0 ? 1 : 0;
        }
        assertTrue(zeros > 4800 && zeros < 5200, zeros + " zeros");
        assertNotEquals(0, zeros);
        d.eval();
        assertSame(x, d.forward(x));
        Dropout a = new Dropout(0.3);
        Dropout b = new Dropout(0.3);
        a.build(new int[] {100}, new Generator(9));
        b.build(new int[] {100}, new Generator(9));
        long[] state = a.generator().state();
        float[] first = a.forward(Tensor.ones(4, 100)).toFloatArray();
        assertArrayEquals(first, b.forward(Tensor.ones(4, 100)).toFloatArray(), "same seed, same mask");
        a.generator().setState(state);
        assertArrayEquals(first, a.forward(Tensor.ones(4, 100)).toFloatArray(), "restored state, same mask");
        var e = assertThrows(IllegalStateException.class, () -> new Dropout(0.5).forward(x));
        assertTrue(e.getMessage().startsWith("Dropout(p=0.5) has no generator"), e.getMessage());
    }

    @Test
    void batchNorm2dMatchesHandComputedTrainAndEvalValues() {
        // channel 0 holds 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3); channel 1 holds 0, 0, 4, 4
        double[] v = {1, 2, 0, 0, 3, 6, 4, 4};
        Tensor x = Tensor.fromArray(v, 2, 2, 1, 2);
        BatchNorm2d bn = new BatchNorm2d(2);
        float[] y = bn.forward(x).to(DType.FLOAT32).toFloatArray();
        double s0 = Math.sqrt(3.5 + 1e-5);
        double s1 = Math.sqrt(4 + 1e-5);
        double[] expected = {(1 - 3) / s0, (2 - 3) / s0, -2 / s1, -2 / s1, 0 / s0, 3 / s0, 2 / s1, 2 / s1};
        for (int i = 0; i < v.length; i++) {
            assertEquals(expected[i], y[i], 1e-6);
        }
        assertArrayEquals(new float[] {0.3f, 0.2f}, bn.runningMean().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {(float) (0.9 + 0.1 * 14 / 3.0), (float) (0.9 + 0.1 * 16 / 3.0)},
                bn.runningVar().toFloatArray(), 1e-6f);
        assertEquals(Map.of("0.running_mean", 2, "0.running_var", 2), Map.of(
                "0.running_mean", new Sequential(bn).namedBuffers().get("0.running_mean").numel(),
                "0.running_var", bn.runningVar().numel()));
        bn.eval();
        float[] e = bn.forward(x).to(DType.FLOAT32).toFloatArray();
        assertEquals((1 - 0.3) / Math.sqrt(0.9 + 0.1 * 14 / 3.0 + 1e-5), e[0], 1e-6);
        assertEquals((4 - 0.2) / Math.sqrt(0.9 + 0.1 * 16 / 3.0 + 1e-5), e[7], 1e-6);
    }

    @Test
    void normalisationGradientsPassGradCheck() {
        BatchNorm1d bn = new BatchNorm1d(3);
        Tensor x = Tensor.uniform(DType.FLOAT64, new Generator(2), -1, 1, 4, 3);
        assertTrue(GradCheck.check(xs -> bn.forward(xs[0]).square().sum(), x).passed());
        LayerNorm ln = new LayerNorm(2, 3);
        Tensor z = Tensor.uniform(DType.FLOAT64, new Generator(3), -1, 1, 2, 2, 3);
        assertTrue(GradCheck.check(xs -> ln.forward(xs[0]).square().sum().add(ln.forward(xs[0]).mul(xs[0]).sum()), z)
                .passed());
        float[] y = ln.forward(Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3)).toFloatArray();
        double sd = Math.sqrt(35 / 12.0 + 1e-5);
        assertEquals((1 - 3.5) / sd, y[0], 1e-5);
        assertEquals((6 - 3.5) / sd, y[5], 1e-5);
    }
}
