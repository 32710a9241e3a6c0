package dev.nabla.nn.loss;

import dev.nabla.testing.ReferenceCases;
import dev.nabla.testing.ReferenceCases.Case;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.GradCheck;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every loss and reduction against PyTorch's float64 values and gradients ({@code loss-reference.txt}, made by
 * {@code tools/reference/make_loss_fixtures.py}), and against central finite differences with {@link GradCheck}.
 */
class LossReferenceTest {
    /** The loss of each reference case. */
    private static final Map<String, Loss> TABLE = new LinkedHashMap<>();

    /** Cases whose inputs sit exactly on the probability clip, where the loss has a kink: no finite differences. */
    private static final Set<String> NO_GRADCHECK = Set.of("bce/clipped", "cce/clipped");

    static {
        for (Reduction r : Reduction.values()) {
            String tag = "/" + r.name().toLowerCase(java.util.Locale.ROOT);
            TABLE.put("mse" + tag, Losses.mse(r));
            TABLE.put("mae" + tag, Losses.mae(r));
            TABLE.put("huber" + tag, Losses.huber(1.0, r));
            TABLE.put("bce" + tag, Losses.binaryCrossEntropy(r));
            TABLE.put("bceLogits" + tag, Losses.binaryCrossEntropyWithLogits(r));
            TABLE.put("cce" + tag, Losses.categoricalCrossEntropy(r));
            TABLE.put("sparse" + tag, Losses.sparseCategoricalCrossEntropy(r));
            TABLE.put("softmaxCE/labels" + tag, Losses.softmaxCrossEntropy(r));
            TABLE.put("softmaxCE/probs" + tag, Losses.softmaxCrossEntropy(r));
        }
        TABLE.put("mse/vector", Losses.mse());
        TABLE.put("mse/column", Losses.mse());
        TABLE.put("mse/rank3", Losses.mse(Reduction.SUM));
        TABLE.put("huber/delta0.3", Losses.huber(0.3));
        TABLE.put("bce/vector", Losses.binaryCrossEntropy());
        TABLE.put("bce/clipped", Losses.binaryCrossEntropy());
        TABLE.put("bceLogits/extreme", Losses.binaryCrossEntropyWithLogits());
        TABLE.put("cce/soft", Losses.categoricalCrossEntropy());
        TABLE.put("cce/unnormalized", Losses.categoricalCrossEntropy());
        TABLE.put("cce/clipped", Losses.categoricalCrossEntropy());
        TABLE.put("sparse/nll", Losses.sparseCategoricalCrossEntropy());
        TABLE.put("softmaxCE/labels/smoothing", Losses.softmaxCrossEntropy(0.1, Reduction.MEAN));
        TABLE.put("softmaxCE/probs/smoothing", Losses.softmaxCrossEntropy(0.1, Reduction.MEAN));
        TABLE.put("softmaxCE/extreme/labels", Losses.softmaxCrossEntropy(0.2, Reduction.MEAN));
        TABLE.put("softmaxCE/extreme/probs", Losses.softmaxCrossEntropy());
    }

    static List<Case> cases() throws IOException {
        return ReferenceCases.load("/loss-reference.txt");
    }

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesPyTorchAndFiniteDifferences() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        Loss loss = TABLE.get(c.name());
        assertTrue(loss != null, "no loss in the table for reference case " + c.name());
        boolean targetDifferentiable = c.grads().size() == 2;
        Tensor prediction = copy(c.inputs().get(0)).requiresGrad(true);
        Tensor target = copy(c.inputs().get(1)).requiresGrad(targetDifferentiable);
        Tensor y = loss.apply(prediction, target);
        assertArrayEquals(c.output().shape(), y.shape(), c.name() + ": output shape");
        assertClose(c.output().toDoubleArray(), y.toDoubleArray(), c.name() + ": forward vs PyTorch");
        y.backward(c.weight());
        assertClose(c.grads().get(0).toDoubleArray(), prediction.grad().toDoubleArray(),
                c.name() + ": gradient of the prediction vs PyTorch");
        if (targetDifferentiable) {
            assertClose(c.grads().get(1).toDoubleArray(), target.grad().toDoubleArray(),
                    c.name() + ": gradient of the target vs PyTorch");
        }
        if (NO_GRADCHECK.contains(c.name())) {
            return;
        }
        Tensor labels = c.inputs().get(1);
        Function<Tensor[], Tensor> f = targetDifferentiable
                ? xs -> loss.apply(xs[0], xs[1])
                : xs -> loss.apply(xs[0], labels);
        Tensor[] inputs = targetDifferentiable
                ? new Tensor[] {c.inputs().get(0), c.inputs().get(1)}
                : new Tensor[] {c.inputs().get(0)};
        GradCheck.Result r = GradCheck.check(f, inputs);
        assertTrue(r.passed(), c.name() + ": " + r);
    }

    private static Tensor copy(Tensor t) {
        return Tensor.fromArray(t.toDoubleArray(), t.shape());
    }

    private static void assertClose(double[] expected, double[] actual, String message) {
        assertEquals(expected.length, actual.length, message + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tolerance = 1e-10 * Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tolerance, message + " at " + i);
        }
    }

    @Test
    void referenceCasesAndTableAgree() throws IOException {
        Set<String> inFixture = new TreeSet<>();
        for (Case c : cases()) {
            inFixture.add(c.name());
        }
        assertEquals(new TreeSet<>(TABLE.keySet()), inFixture, "table entries and reference cases must match one to one");
    }
}
