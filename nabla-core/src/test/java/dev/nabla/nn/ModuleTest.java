package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Modules: naming, building from input shapes, state dicts and their errors, modes, initialisers. */
class ModuleTest {
    private static Sequential seedMlp() {
        Sequential net = new Sequential(new Flatten(), Linear.dense(256, Activation.RELU),
                Linear.dense(128, Activation.RELU), Linear.dense(10, Activation.SOFTMAX));
        assertArrayEquals(new int[] {10}, net.build(new int[] {28, 28}, new Generator(1)));
        return net;
    }

    @Test
    void seedNetworkHasKerasParameterCountsAndDottedNames() {
        Sequential net = seedMlp();
        assertEquals(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10, net.parameterCount());
        assertEquals(List.of("1.weight", "1.bias", "2.weight", "2.bias", "3.weight", "3.bias"),
                List.copyOf(net.namedParameters().keySet()));
        assertArrayEquals(new int[] {256, 784}, net.namedParameters().get("1.weight").shape());
        Tensor out = net.forward(Tensor.zeros(5, 28, 28));
        assertArrayEquals(new int[] {5, 10}, out.shape());
        float[] row = out.select(0, 0).toFloatArray();
        double sum = 0;
        for (float v : row) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-5, "softmax output sums to 1");
    }

    @Test
    void sameSeedSameWeights() {
        assertArrayEquals(seedMlp().namedParameters().get("1.weight").toFloatArray(),
                seedMlp().namedParameters().get("1.weight").toFloatArray());
    }

    @Test
    void kerasDenseDefaultsAreGlorotUniformAndZeroBias() {
        Sequential net = seedMlp();
        float[] w = net.namedParameters().get("1.weight").toFloatArray();
        double limit = Math.sqrt(6.0 / (784 + 256));
        double maxAbs = 0;
        for (float v : w) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        assertTrue(maxAbs <= limit && maxAbs > 0.95 * limit, "max |w| " + maxAbs + " vs limit " + limit);
        for (float b : net.namedParameters().get("1.bias").toFloatArray()) {
            assertEquals(0f, b);
        }
    }

    @Test
    void torchLinearDefaultsAreUniformOverSqrtFanIn() {
        Linear l = new Linear(100, 3, new Generator(4));
        double bound = 1 / Math.sqrt(100);
        for (float v : l.weight().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
        for (float v : l.bias().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
    }

    @Test
    void heNormalHasTheRightSpread() {
        float[] w = Init.HE_NORMAL.create(new Generator(3), 400, 200).toFloatArray();
        double sq = 0;
        for (float v : w) {
            sq += v * v;
        }
        assertEquals(Math.sqrt(2.0 / 200), Math.sqrt(sq / w.length), 0.002);
    }

    @Test
    void loadStateDictCopiesByNameAndNamesProblems() {
        Sequential a = seedMlp();
        Sequential b = new Sequential(new Flatten(), Linear.dense(256, Activation.RELU),
                Linear.dense(128, Activation.RELU), Linear.dense(10, Activation.SOFTMAX));
        b.build(new int[] {28, 28}, new Generator(99));
        b.loadStateDict(a.stateDict(), true);
        assertArrayEquals(a.stateDict().get("3.weight").toFloatArray(), b.stateDict().get("3.weight").toFloatArray());

        Map<String, Tensor> partial = new java.util.LinkedHashMap<>(a.stateDict());
        partial.remove("2.bias");
        partial.put("9.weight", Tensor.zeros(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(partial, true));
        assertTrue(e.getMessage().contains("missing keys [2.bias]") && e.getMessage().contains("unexpected keys [9.weight]"),
                e.getMessage());
        partial.remove("9.weight");
        b.loadStateDict(partial, false);

        Map<String, Tensor> wrong = new java.util.LinkedHashMap<>(a.stateDict());
        wrong.put("3.weight", Tensor.zeros(10, 127));
        e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(wrong, true));
        assertTrue(e.getMessage().contains("'3.weight'") && e.getMessage().contains("[10, 127]")
                && e.getMessage().contains("[10, 128]"), e.getMessage());
    }

    @Test
    void linearRejectsAnInputOfTheWrongWidth() {
        Linear l = new Linear(4, 2, new Generator(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(3, 5)));
        assertTrue(e.getMessage().contains("[3, 5]") && e.getMessage().contains("4"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Linear.dense(3).forward(Tensor.zeros(1, 2)));
    }

    /**
     * A Linear without activation followed by a ReLU layer runs in a Sequential as one LINEAR+RELU op, with the values
     * and gradients of the two layers run one after the other, bit for bit.
     */
    @Test
    void linearThenReluLayerRunsAsOneOpWithTheSameResults() {
        Linear first = new Linear(50, 40, new Generator(3));
        ReLU relu = new ReLU();
        Linear second = new Linear(40, 7, new Generator(4));
        Sequential net = new Sequential(first, relu, second);
        Tensor x = Tensor.uniform(dev.nabla.tensor.DType.FLOAT32, new Generator(5), -1, 1, 33, 50);
        Tensor fused = net.forward(x);
        Tensor hidden = fused.gradFnInputs()[0];
        assertEquals(dev.nabla.tensor.Prim.LINEAR, hidden.gradFn());
        assertTrue(hidden.gradFnFusedRelu(), "the Linear and the ReLU ran as one op");
        Tensor[] params = {first.weight(), first.bias(), second.weight()};
        Tensor seed = Tensor.uniform(dev.nabla.tensor.DType.FLOAT32, new Generator(6), -1, 1, 33, 7);
        Tensor[] fusedGrads = Tensor.gradients(fused, params, seed, false, false);
        Tensor apart = second.forward(relu.forward(first.forward(x)));
        Tensor[] apartGrads = Tensor.gradients(apart, params, seed, false, false);
        assertArrayEquals(apart.toDoubleArray(), fused.toDoubleArray(), 0.0);
        for (int i = 0; i < params.length; i++) {
            assertArrayEquals(apartGrads[i].toDoubleArray(), fusedGrads[i].toDoubleArray(), 0.0, "gradient " + i);
        }
        // a Linear with an activation of its own keeps the ReLU layer after it as it is
        Sequential twice = new Sequential(new Linear(50, 40, Activation.SIGMOID, true, Init.GLOROT_UNIFORM,
                Init.ZEROS, new Generator(3)), new ReLU());
        assertEquals(dev.nabla.tensor.Prim.RELU, twice.forward(x).gradFn());
    }

    @Test
    void trainAndEvalModesPropagate() {
        Sequential net = seedMlp();
        net.eval();
        assertFalse(net.layers().get(1).isTraining());
        net.train(true);
        assertTrue(net.layers().get(1).isTraining());
    }

    @Test
    void activationNames() {
        assertEquals(Activation.RELU, Activation.fromName("relu"));
        assertThrows(IllegalArgumentException.class, () -> Activation.fromName("swishy"));
    }
}
