package dev.nabla.nn.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Behaviour the reference fixture does not cover: names, extreme inputs in float32, and the errors. */
class LossesTest {
    private static Tensor rows(float[][] values) {
        return Tensor.fromArray(values);
    }

    private static void assertFinite(Tensor t, String what) {
        for (double v : t.toDoubleArray()) {
            assertTrue(Double.isFinite(v), what + " is not finite: " + t);
        }
    }

    @Test
    void namesAreKerasStyle() {
        assertEquals("mean_squared_error", Losses.mse().name());
        assertEquals("mean_absolute_error", Losses.mae().name());
        assertEquals("huber_loss", Losses.huber(1).name());
        assertEquals("binary_crossentropy", Losses.binaryCrossEntropy().name());
        assertEquals("sigmoid_cross_entropy_with_logits", Losses.binaryCrossEntropyWithLogits().name());
        assertEquals("categorical_crossentropy", Losses.categoricalCrossEntropy().name());
        assertEquals("sparse_categorical_crossentropy", Losses.sparseCategoricalCrossEntropy().name());
        assertEquals("softmax_cross_entropy_with_logits", Losses.softmaxCrossEntropy().name());
        assertEquals("loss", ((Loss) (p, t) -> p.sub(t).sum()).name());
        assertEquals("mean_squared_error(reduction=SUM)", Losses.mse(Reduction.SUM).toString());
    }

    @Test
    void extremeFloat32LogitsGiveFiniteLossesAndGradients() {
        Tensor logits = rows(new float[][] {{1e4f, -1e4f, 0}, {-1e4f, 1e4f, 1e4f}, {-1e4f, -1e4f, -1e4f}})
                .requiresGrad(true);
        for (Loss loss : List.of(Losses.softmaxCrossEntropy(), Losses.softmaxCrossEntropy(0.1, Reduction.SUM))) {
            Tensor value = loss.apply(logits, Tensor.of(1, 0, 2));
            assertFinite(value, loss + " loss");
            assertEquals(DType.FLOAT32, value.dtype());
            value.backward();
            assertFinite(logits.grad(), loss + " gradient");
            logits.zeroGrad();
        }
        Tensor soft = Losses.softmaxCrossEntropy().apply(logits, rows(new float[][] {{0, 1, 0}, {1, 0, 0}, {0, 0, 1}}));
        soft.backward();
        assertFinite(soft, "soft-target loss");
        assertFinite(logits.grad(), "soft-target gradient");

        Tensor x = Tensor.of(1e4f, -1e4f, 1e4f, -1e4f, 0).requiresGrad(true);
        Tensor bce = Losses.binaryCrossEntropyWithLogits().apply(x, Tensor.of(1, 0, 0, 1, 1));
        bce.backward();
        assertEquals((2e4 + Math.log(2)) / 5, bce.item(), 1e-3);
        assertArrayEquals(new double[] {0, 0, 0.2, -0.2, -0.1}, x.grad().toDoubleArray(), 1e-7);
    }

    @Test
    void probabilitiesOfExactlyZeroAndOneAreClippedNotInfinite() {
        Tensor p = Tensor.of(0, 1, 0, 1).requiresGrad(true);
        Tensor bce = Losses.binaryCrossEntropy().apply(p, Tensor.of(1, 0, 0, 1));
        bce.backward();
        assertFinite(bce, "binary_crossentropy");
        assertFinite(p.grad(), "binary_crossentropy gradient");

        Tensor probs = rows(new float[][] {{0, 1}, {1, 0}}).requiresGrad(true);
        Tensor cce = Losses.categoricalCrossEntropy().apply(probs, rows(new float[][] {{1, 0}, {1, 0}}));
        Tensor sparse = Losses.sparseCategoricalCrossEntropy().apply(probs, Tensor.of(0, 0));
        cce.add(sparse).backward();
        assertFinite(cce, "categorical_crossentropy");
        assertFinite(sparse, "sparse_categorical_crossentropy");
        assertFinite(probs.grad(), "categorical gradients");
        assertEquals(-Math.log(1e-7) / 2, cce.to(DType.FLOAT64).item(), 1e-3);
    }

    @Test
    void noneGivesOneLossPerSampleAndSumIsTheirSum() {
        Tensor p = rows(new float[][] {{1, 2, 3}, {0, 0, 0}});
        Tensor t = rows(new float[][] {{1, 2, 6}, {1, 1, 1}});
        Tensor perSample = Losses.mse(Reduction.NONE).apply(p, t);
        assertArrayEquals(new int[] {2}, perSample.shape());
        assertArrayEquals(new double[] {9.0 / 3, 3.0 / 3}, perSample.toDoubleArray(), 1e-6);
        assertEquals(4.0, Losses.mse(Reduction.SUM).apply(p, t).item(), 1e-6);
        assertEquals(2.0, Losses.mse().apply(p, t).item(), 1e-6);
    }

    @Test
    void labelVectorAgainstSingleOutputColumnIsAcceptedAndDtypesAreAligned() {
        Tensor p = Tensor.fromArray(new float[] {0.5f, 2}, 2, 1);
        Tensor t = Tensor.fromArray(new double[] {1, 1}, 2);
        assertEquals((0.25 + 1) / 2, Losses.mse().apply(p, t).item(), 1e-6);
        assertEquals((0.25 + 1) / 2, Losses.mse().apply(t, p).item(), 1e-6);
    }

    @Test
    void shapeMismatchNamesTheLossAndBothShapes() {
        Tensor p = Tensor.zeros(4, 3);
        Tensor t = Tensor.zeros(4, 2);
        List<Loss> losses = List.of(Losses.mse(), Losses.mae(), Losses.huber(1), Losses.binaryCrossEntropy(),
                Losses.binaryCrossEntropyWithLogits(), Losses.categoricalCrossEntropy(), Losses.softmaxCrossEntropy());
        for (Loss loss : losses) {
            var e = assertThrows(IllegalArgumentException.class, () -> loss.apply(p, t), loss.name());
            assertTrue(e.getMessage().startsWith(loss.name() + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("[4, 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
        }
        for (Loss loss : List.of(Losses.sparseCategoricalCrossEntropy(), Losses.softmaxCrossEntropy())) {
            var e = assertThrows(IllegalArgumentException.class, () -> loss.apply(p, Tensor.zeros(5)));
            assertTrue(e.getMessage().contains("[4, 3]") && e.getMessage().contains("[5]"), e.getMessage());
            var rank = assertThrows(IllegalArgumentException.class, () -> loss.apply(Tensor.zeros(4), Tensor.zeros(4)));
            assertTrue(rank.getMessage().contains("must be [N, C]"), rank.getMessage());
        }
    }

    @Test
    void badLabelsAreRejectedWithTheirValueAndPosition() {
        Tensor p = Tensor.full(1.0 / 3, 3, 3);
        for (Loss loss : List.of(Losses.sparseCategoricalCrossEntropy(), Losses.softmaxCrossEntropy())) {
            String fraction = message(() -> loss.apply(p, Tensor.of(0, 1.5f, 2)));
            assertEquals(loss.name() + ": target label 1.5 at position 1 is not an integer class index in [0, 3)"
                    + " for prediction [3, 3]", fraction);
            assertTrue(message(() -> loss.apply(p, Tensor.of(0, 1, 3))).contains("label 3.0 at position 2"));
            assertTrue(message(() -> loss.apply(p, Tensor.of(-1, 1, 2))).contains("label -1.0 at position 0"));
        }
    }

    @Test
    void logitsPassedToAProbabilityLossPointToTheLogitsLoss() {
        String bce = message(() -> Losses.binaryCrossEntropy().apply(Tensor.of(0.5f, 2.5f), Tensor.of(0, 1)));
        assertEquals("binary_crossentropy: prediction [2] holds 2.5 at flat position 1, not a probability in [0, 1];"
                + " for logits use binaryCrossEntropyWithLogits", bce);
        String cce = message(() -> Losses.sparseCategoricalCrossEntropy().apply(
                rows(new float[][] {{-1, 2}}), Tensor.of(1)));
        assertTrue(cce.contains("softmaxCrossEntropy"), cce);
    }

    @Test
    void settingsAreValidated() {
        assertEquals("huber_loss: delta must be positive and finite, got 0.0", message(() -> Losses.huber(0)));
        assertEquals("softmax_cross_entropy_with_logits: labelSmoothing must be in [0, 1], got 1.5",
                message(() -> Losses.softmaxCrossEntropy(1.5, Reduction.MEAN)));
        assertTrue(message(() -> Losses.mse(null)).contains("reduction must not be null"));
    }

    private static String message(Supplier<Object> call) {
        return assertThrows(IllegalArgumentException.class, call::get).getMessage();
    }
}
