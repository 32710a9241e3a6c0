package dev.nabla.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The optimizer contract beyond the PyTorch trajectories: state dicts, checks, minimize, skipping, denormals. */
class OptimizerTest {
    static Stream<Arguments> optimizers() {
        Map<String, Function<List<Tensor>, Optimizer>> m = new LinkedHashMap<>();
        m.put("SGD nesterov", p -> new SGD(p, 0.05, 0.9, 0, 0.01, true));
        m.put("SGD dampening", p -> new SGD(p, 0.05, 0.9, 0.2, 0, false));
        m.put("Adam", p -> new Adam(p, 0.01, 0.9, 0.999, 1e-8, 0.01));
        m.put("AdamW", p -> new AdamW(p, 0.01));
        m.put("RMSProp", p -> new RMSProp(p, 0.01, 0.9, 1e-8, 0.01, 0.5, true));
        m.put("Adagrad", p -> new Adagrad(p, 0.1, 0.01, 0, 0.1, 1e-10));
        return m.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    private static List<Tensor> params(DType dtype, long seed) {
        Generator gen = new Generator(seed);
        return List.of(Tensor.randn(gen, 3, 4).to(dtype).requiresGrad(true),
                Tensor.randn(gen, 5).to(dtype).requiresGrad(true));
    }

    private static List<Tensor> copies(List<Tensor> params) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor p : params) {
            Tensor c = p.dtype() == DType.FLOAT32 ? Tensor.fromArray(p.toFloatArray(), p.shape())
                    : Tensor.fromArray(p.toDoubleArray(), p.shape());
            out.add(c.requiresGrad(true));
        }
        return out;
    }

    /** Gives every parameter the gradient for step {@code step} (the vector none on step 1), the same on every call. */
    private static void setGrads(List<Tensor> params, int step) {
        Generator gen = new Generator(1000 + step);
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor g = Tensor.randn(gen, p.shape()).to(p.dtype());
            p.setGrad(i == 1 && step == 1 ? null : g);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void stateDictResumesBitForBit(String name, Function<List<Tensor>, Optimizer> make) {
        for (DType dtype : DType.values()) {
            List<Tensor> a = params(dtype, 7);
            Optimizer optA = make.apply(a);
            for (int step = 0; step < 3; step++) {
                setGrads(a, step);
                optA.step();
            }
            optA.setLearningRate(optA.learningRate() * 0.5);
            Map<String, Tensor> saved = optA.stateDict();
            assertEquals(3.0, saved.get("step").item());

            List<Tensor> b = copies(a);
            Optimizer optB = make.apply(b);
            optB.loadStateDict(saved);
            List<Tensor> fresh = copies(a);
            Optimizer optFresh = make.apply(fresh);
            optFresh.setLearningRate(optA.learningRate());
            for (int step = 3; step < 6; step++) {
                for (List<Tensor> ps : List.of(a, b, fresh)) {
                    setGrads(ps, step);
                }
                optA.step();
                optB.step();
                optFresh.step();
            }
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).toDoubleArray(), b.get(i).toDoubleArray(), 0.0,
                        name + " " + dtype + ": parameter " + i + " after resuming");
            }
            assertNotEquals(List.of(a.get(0).toDoubleArray()[0]), List.of(fresh.get(0).toDoubleArray()[0]),
                    name + " " + dtype + ": without the loaded state the trajectory should differ");
            assertEquals(6, optB.stepCount());
            assertEquals(optA.learningRate(), optB.learningRate());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void stateDictIsACopy(String name, Function<List<Tensor>, Optimizer> make) {
        List<Tensor> p = params(DType.FLOAT32, 3);
        Optimizer opt = make.apply(p);
        setGrads(p, 0);
        opt.step();
        Map<String, Tensor> dict = opt.stateDict();
        Tensor buffer = dict.entrySet().stream().filter(e -> e.getKey().startsWith("0.") && !e.getKey().endsWith("step"))
                .findFirst().orElseThrow().getValue();
        float before = buffer.floatData()[0];
        setGrads(p, 2);
        opt.step();
        assertEquals(before, buffer.floatData()[0], name + ": a state dict must not change when the optimizer steps");
        assertEquals(1.0, dict.get("1.step").item());
    }

    @Test
    void stateDictKeys() {
        List<Tensor> p = params(DType.FLOAT32, 1);
        Adam adam = new Adam(p);
        assertEquals(List.of("step", "lr"), new ArrayList<>(adam.stateDict().keySet()));
        p.get(0).setGrad(Tensor.ones(3, 4));
        adam.step();
        assertEquals(List.of("step", "lr", "0.step", "0.exp_avg", "0.exp_avg_sq"),
                new ArrayList<>(adam.stateDict().keySet()));
        assertEquals(List.of(3, 4), List.of(adam.stateDict().get("0.exp_avg").shape()[0],
                adam.stateDict().get("0.exp_avg").shape()[1]));
        assertEquals(List.of("step", "lr"), new ArrayList<>(new SGD(p, 0.1).stateDict().keySet()));
    }

    @Test
    void loadStateDictRejectsBadDicts() {
        List<Tensor> p = params(DType.FLOAT32, 1);
        Adam adam = new Adam(p);
        setGrads(p, 0);
        adam.step();
        Map<String, Tensor> good = adam.stateDict();

        Map<String, Tensor> missing = new LinkedHashMap<>(good);
        missing.remove("0.exp_avg_sq");
        assertMessage(() -> new Adam(p).loadStateDict(missing), "'0.exp_avg_sq' is missing");

        Map<String, Tensor> unknown = new LinkedHashMap<>(good);
        unknown.put("0.momentum_buffer", Tensor.zeros(3, 4));
        assertMessage(() -> new Adam(p).loadStateDict(unknown), "unknown key '0.momentum_buffer'");

        Map<String, Tensor> shape = new LinkedHashMap<>(good);
        shape.put("1.exp_avg", Tensor.zeros(3));
        assertMessage(() -> new Adam(p).loadStateDict(shape), "'1.exp_avg' is float32 [3]", "[5]");

        Map<String, Tensor> dtype = new LinkedHashMap<>(good);
        dtype.put("0.exp_avg", Tensor.zeros(DType.FLOAT64, 3, 4));
        assertMessage(() -> new Adam(p).loadStateDict(dtype), "'0.exp_avg' is float64 [3, 4]");

        Map<String, Tensor> noStep = new LinkedHashMap<>(good);
        noStep.remove("step");
        assertMessage(() -> new Adam(p).loadStateDict(noStep), "'step' is missing");

        Adam target = new Adam(p);
        assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(shape));
        assertEquals(List.of("step", "lr"), new ArrayList<>(target.stateDict().keySet()),
                "a failed load must change nothing");
    }

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
        }
    }

    @Test
    void badHyperParametersNameTheArgumentAndValue() {
        List<Tensor> p = params(DType.FLOAT32, 1);
        assertMessage(() -> new SGD(p, -0.1), "SGD", "lr", "-0.1");
        assertMessage(() -> new SGD(p, Double.NaN), "lr", "NaN");
        assertMessage(() -> new SGD(p, 0.1, -0.9), "momentum", "-0.9");
        assertMessage(() -> new SGD(p, 0.1, 0.9, -1, 0, false), "dampening", "-1.0");
        assertMessage(() -> new SGD(p, 0.1, 0.9, 0, -0.5, false), "weightDecay", "-0.5");
        assertMessage(() -> new SGD(p, 0.1, 0, 0, 0, true), "nesterov", "momentum 0.0");
        assertMessage(() -> new SGD(p, 0.1, 0.9, 0.1, 0, true), "nesterov", "dampening 0.1");
        assertMessage(() -> new Adam(p, 0.001, 1.0, 0.999, 1e-8, 0), "Adam", "beta1", "[0, 1)", "1.0");
        assertMessage(() -> new Adam(p, 0.001, 0.9, -0.1, 1e-8, 0), "beta2", "-0.1");
        assertMessage(() -> new Adam(p, 0.001, 0.9, 0.999, 0, 0), "eps", "> 0", "0.0");
        assertMessage(() -> new Adam(p, Double.POSITIVE_INFINITY), "lr", "Infinity");
        assertMessage(() -> new AdamW(p, 0.001, 0.9, 0.999, 1e-8, -0.01), "AdamW", "weightDecay", "-0.01");
        assertMessage(() -> new RMSProp(p, 0.01, 1.5, 1e-8, 0, 0, false), "RMSProp", "alpha", "1.5");
        assertMessage(() -> new RMSProp(p, 0.01, 0.99, 1e-8, 0, -0.3, false), "momentum", "-0.3");
        assertMessage(() -> new RMSProp(p, 0.01, 0.99, -1e-8, 0, 0, false), "eps", "-1.0E-8");
        assertMessage(() -> new Adagrad(p, 0.01, -0.1, 0, 0, 1e-10), "Adagrad", "lrDecay", "-0.1");
        assertMessage(() -> new Adagrad(p, 0.01, 0, 0, -2, 1e-10), "initialAccumulatorValue", "-2.0");
        assertMessage(() -> new Adam(p).setLearningRate(-3), "lr", "-3.0");
    }

    @Test
    void badParametersAreNamed() {
        Tensor w = Tensor.zeros(2, 2).requiresGrad(true);
        assertMessage(() -> new Adam(List.of()), "Adam", "params is empty");
        assertMessage(() -> new SGD(List.of(w, w), 0.1), "parameter 1 is the same tensor as parameter 0");
        assertMessage(() -> new SGD(List.of(Tensor.zeros(3).name("bias")), 0.1), "parameter 0", "'bias'",
                "requiresGrad");
        assertMessage(() -> new SGD(List.of(w.mul(2)), 0.1), "leaf tensor");
        Tensor view = Tensor.zeros(4, 4).narrow(0, 1, 2).requiresGrad(true);
        assertMessage(() -> new SGD(List.of(view), 0.1), "parameter 0", "view");
    }

    @Test
    void stepSkipsParametersWithoutGradient() {
        List<Tensor> p = params(DType.FLOAT32, 5);
        float[] before = p.get(1).toFloatArray();
        Adam adam = new Adam(p, 0.1);
        p.get(0).setGrad(Tensor.ones(3, 4));
        adam.step();
        assertArrayEquals(before, p.get(1).toFloatArray());
        assertFalse(adam.stateDict().containsKey("1.step"));
        assertEquals(1, adam.stepCount());
    }

    @Test
    void zeroGradClearsGradients() {
        List<Tensor> p = params(DType.FLOAT32, 5);
        setGrads(p, 0);
        new SGD(p, 0.1).zeroGrad();
        assertNull(p.get(0).grad());
        assertNull(p.get(1).grad());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void minimizeFitsALine(String name, Function<List<Tensor>, Optimizer> make) {
        Generator gen = new Generator(11);
        Tensor x = Tensor.uniform(gen, -1, 1, 64, 1);
        Tensor y = x.mul(3).sub(2);
        Tensor w = Tensor.zeros(1, 1).requiresGrad(true);
        Tensor b = Tensor.zeros(1).requiresGrad(true);
        Optimizer opt = make.apply(List.of(w, b));
        opt.setLearningRate(name.startsWith("SGD") ? 0.05 : name.startsWith("Adagrad") ? 0.5 : 0.05);
        double first = x.matmul(w).add(b).sub(y).square().mean().item();
        double last = first;
        for (int i = 0; i < 300; i++) {
            Tensor loss = x.matmul(w).add(b).sub(y).square().mean();
            last = loss.item();
            opt.minimize(loss);
        }
        assertTrue(first > 4, "initial loss " + first);
        assertTrue(last < 1e-3 * first, name + ": loss went from " + first + " to " + last);
        assertEquals(300, opt.stepCount());
    }

    @Test
    void adamFlushesDenormalSecondMoments() {
        float g = 1e-20f;
        float unflushed = (float) (1 - 0.999) * g * g;
        assertTrue(unflushed != 0 && unflushed < Float.MIN_NORMAL, "the test needs (1 - beta2)g² to be denormal");
        Tensor w = Tensor.zeros(4).requiresGrad(true);
        Adam adam = new Adam(List.of(w));
        w.setGrad(Tensor.full(g, 4));
        adam.step();
        Map<String, Tensor> state = adam.stateDict();
        assertArrayEquals(new float[4], state.get("0.exp_avg_sq").floatData());
        assertEquals(0.1f * g, state.get("0.exp_avg").floatData()[0], 1e-6f * 0.1f * g);
    }

    @Test
    void decayingMomentsBecomeExactlyZero() {
        Tensor w = Tensor.zeros(3).requiresGrad(true);
        Adam adam = new Adam(List.of(w));
        w.setGrad(Tensor.full(1e-30, 3));
        adam.step();
        float m = adam.stateDict().get("0.exp_avg").floatData()[0];
        for (int i = 0; i < 200; i++) {
            m *= 0.9f;
        }
        assertTrue(m != 0 && m < Float.MIN_NORMAL, "the test needs 200 decays to leave a denormal, got " + m);
        for (int i = 0; i < 200; i++) {
            w.setGrad(Tensor.zeros(3));
            adam.step();
        }
        assertArrayEquals(new float[3], adam.stateDict().get("0.exp_avg").floatData());
        assertArrayEquals(new float[3], adam.stateDict().get("0.exp_avg_sq").floatData());
    }

    @Test
    void sgdMomentumBufferFlushesToo() {
        Tensor w = Tensor.zeros(2).requiresGrad(true);
        SGD sgd = new SGD(List.of(w), 0.1, 0.5);
        w.setGrad(Tensor.full(1e-37, 2));
        sgd.step();
        for (int i = 0; i < 10; i++) {
            w.setGrad(Tensor.zeros(2));
            sgd.step();
        }
        assertArrayEquals(new float[2], sgd.stateDict().get("0.momentum_buffer").floatData(),
                "1e-37·0.5^10 is denormal and must be stored as 0");
    }

    @Test
    void float64FlushesBelowDoubleMinNormal() {
        Tensor w = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        SGD sgd = new SGD(List.of(w), 0.1, 0.5);
        w.setGrad(Tensor.full(DType.FLOAT64, 1e-30, 2));
        sgd.step();
        w.setGrad(Tensor.zeros(DType.FLOAT64, 2));
        sgd.step();
        assertEquals(0.5e-30, sgd.stateDict().get("0.momentum_buffer").doubleData()[0],
                "float64 state keeps values far below Float.MIN_NORMAL");
    }
}
