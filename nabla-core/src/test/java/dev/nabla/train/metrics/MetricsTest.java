package dev.nabla.train.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Metrics on batches small enough to count by hand; each expected value is worked out in the comments from the
 * definition, not computed by the code under test.
 */
class MetricsTest {
    /*
     * Six samples, three classes. Argmax of each row, and the true class:
     *   s0 [0.7 0.2 0.1] -> 0, true 0  right
     *   s1 [0.1 0.8 0.1] -> 1, true 1  right
     *   s2 [0.6 0.3 0.1] -> 0, true 1  wrong
     *   s3 [0.2 0.2 0.6] -> 2, true 2  right
     *   s4 [0.5 0.4 0.1] -> 0, true 2  wrong
     *   s5 [0.3 0.6 0.1] -> 1, true 0  wrong
     * Confusion (rows true, columns predicted): [1 1 0] [1 1 0] [1 0 1].
     */
    private static final Tensor SCORES = Tensor.fromArray(new float[][] {
            {0.7f, 0.2f, 0.1f}, {0.1f, 0.8f, 0.1f}, {0.6f, 0.3f, 0.1f},
            {0.2f, 0.2f, 0.6f}, {0.5f, 0.4f, 0.1f}, {0.3f, 0.6f, 0.1f}});
    private static final Tensor LABELS = Tensor.of(0, 1, 1, 2, 2, 0);
    private static final Tensor ONE_HOT = Tensor.fromArray(new float[][] {
            {1, 0, 0}, {0, 1, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 1}, {1, 0, 0}});

    private static double fed(Metric metric, Tensor prediction, Tensor target) {
        metric.reset();
        metric.update(prediction, target);
        return metric.result();
    }

    @Test
    void accuracyCountsArgmaxHitsWithLabelsOrOneHotTargets() {
        Accuracy accuracy = Metrics.accuracy();
        assertEquals("accuracy", accuracy.name());
        assertEquals(3.0 / 6, fed(accuracy, SCORES, LABELS), 1e-12);
        assertEquals(3.0 / 6, fed(accuracy, SCORES, ONE_HOT), 1e-12);
        assertEquals(3.0 / 6, fed(accuracy, SCORES, LABELS.reshape(6, 1)), 1e-12);
    }

    @Test
    void accuracyStreamsOverBatchesAndResets() {
        Accuracy accuracy = Metrics.accuracy();
        assertEquals(0, accuracy.result(), "no samples yet");
        accuracy.update(SCORES.narrow(0, 0, 2), LABELS.narrow(0, 0, 2)); // s0, s1: 2 of 2 right
        accuracy.update(SCORES.narrow(0, 2, 4), LABELS.narrow(0, 2, 4)); // s2..s5: 1 of 4 right
        assertEquals(3.0 / 6, accuracy.result(), 1e-12);
        accuracy.reset();
        assertEquals(0, accuracy.result());
    }

    @Test
    void binaryAccuracyThresholdsProbabilitiesAndLogits() {
        // p > 0.5 gives 1 0 1 0 0 (0.5 itself is not above); targets 1 1 0 0 0: right, wrong, wrong, right, right.
        Tensor p = Tensor.of(0.9f, 0.4f, 0.6f, 0.2f, 0.5f);
        Tensor t = Tensor.of(1, 1, 0, 0, 0);
        assertEquals(3.0 / 5, fed(Metrics.accuracy(), p, t), 1e-12);
        assertEquals(3.0 / 5, fed(Metrics.accuracy(), p.reshape(5, 1), t.reshape(5, 1)), 1e-12);
        assertEquals(3.0 / 5, fed(Metrics.accuracy(), p.reshape(5, 1), t), 1e-12);
        // p > 0.45 gives 1 0 1 0 1: right, wrong, wrong, right, wrong.
        assertEquals(2.0 / 5, fed(Metrics.accuracy(0.45), p, t), 1e-12);
        // logits > 0 gives 1 0 1 0 0, as for the probabilities above.
        assertEquals(3.0 / 5, fed(Metrics.accuracy(0), Tensor.of(2, -1, 0.5f, -3, 0), t), 1e-12);
    }

    @Test
    void topKAccuracyCountsTheTrueClassAmongTheKHighest() {
        // Rank of the true class's score: s0 1st, s1 1st, s2 2nd, s3 1st, s4 3rd (0.1 < 0.4 < 0.5), s5 2nd.
        assertEquals("top_k_accuracy", Metrics.topKAccuracy(2).name());
        assertEquals(3.0 / 6, fed(Metrics.topKAccuracy(1), SCORES, LABELS), 1e-12);
        assertEquals(5.0 / 6, fed(Metrics.topKAccuracy(2), SCORES, ONE_HOT), 1e-12);
        assertEquals(1.0, fed(Metrics.topKAccuracy(3), SCORES, LABELS), 1e-12);
    }

    @Test
    void topKTieAtTheBoundaryCountsForTheSample() {
        // True class 1 ties with class 0 for first place: no class scores strictly higher, so it is in the top 1.
        Tensor scores = Tensor.fromArray(new float[][] {{0.4f, 0.4f, 0.2f}});
        assertEquals(1.0, fed(Metrics.topKAccuracy(1), scores, Tensor.of(1)), 1e-12);
    }

    @Test
    void confusionMatrixHasTrueClassesAsRowsAndAReadableTable() {
        ConfusionMatrix cm = Metrics.confusionMatrix(3);
        cm.update(SCORES, LABELS);
        assertArrayEquals(new int[][] {{1, 1, 0}, {1, 1, 0}, {1, 0, 1}}, cm.matrix());
        assertEquals(6, cm.total());
        assertEquals("confusion matrix (rows: true class, columns: predicted class), 6 samples\n"
                + "true\\pred 0 1 2\n"
                + "        0 1 1 0\n"
                + "        1 1 1 0\n"
                + "        2 1 0 1", cm.toString());
        cm.matrix()[0][0] = 99;
        assertEquals(1, cm.matrix()[0][0], "matrix() returns a copy");
        cm.reset();
        assertEquals(0, cm.total());
    }

    @Test
    void precisionRecallAndF1PerClassAndMacro() {
        // From the confusion matrix [1 1 0] [1 1 0] [1 0 1]:
        //   predicted as 0, 1, 2: 3, 2, 1 samples; truly 0, 1, 2: 2, 2, 2; true positives 1, 1, 1.
        //   precision 1/3, 1/2, 1      macro (1/3 + 1/2 + 1) / 3 = 11/18
        //   recall    1/2, 1/2, 1/2    macro 1/2
        //   F1 = 2PR / (P + R): 2/5, 1/2, 2/3   macro (2/5 + 1/2 + 2/3) / 3 = 47/90
        ClassMetric precision = Metrics.precision(3);
        ClassMetric recall = Metrics.recall(3);
        ClassMetric f1 = Metrics.f1(3);
        for (Metric m : List.of(precision, recall, f1)) {
            m.update(SCORES, LABELS);
        }
        assertEquals("precision", precision.name());
        assertEquals("recall", recall.name());
        assertEquals("f1_score", f1.name());
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 2, 1}, precision.perClass(), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, recall.perClass(), 1e-12);
        assertArrayEquals(new double[] {2.0 / 5, 1.0 / 2, 2.0 / 3}, f1.perClass(), 1e-12);
        assertEquals(11.0 / 18, precision.result(), 1e-12);
        assertEquals(0.5, recall.result(), 1e-12);
        assertEquals(47.0 / 90, f1.result(), 1e-12);
        assertArrayEquals(new int[][] {{1, 1, 0}, {1, 1, 0}, {1, 0, 1}}, f1.matrix());
    }

    @Test
    void aClassNeverPredictedHasPrecisionZeroAndAClassSeenNowhereIsLeftOutOfTheMacroAverage() {
        // Truth 0 1 2 2, predictions 0 1 0 1 (class 2 never predicted; class 3 of 4 never occurs at all).
        //   precision: class 0 1/2 (s0 right, s2 wrong), class 1 1/2, class 2 0 (defined), class 3 0 (unseen)
        //   macro over the classes seen (0, 1, 2): (1/2 + 1/2 + 0) / 3 = 1/3
        //   recall: 1, 1, 0 (neither class-2 sample found), 0;  macro 2/3
        //   F1: 2/3, 2/3, 0, 0;  macro 4/9
        Tensor scores = Tensor.fromArray(new float[][] {{9, 0, 0, 0}, {0, 9, 0, 0}, {9, 0, 0, 0}, {0, 9, 0, 0}});
        Tensor truth = Tensor.of(0, 1, 2, 2);
        ClassMetric precision = Metrics.precision(4);
        ClassMetric recall = Metrics.recall(4);
        ClassMetric f1 = Metrics.f1(4);
        assertEquals(1.0 / 3, fed(precision, scores, truth), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5, 0, 0}, precision.perClass(), 1e-12);
        assertEquals(2.0 / 3, fed(recall, scores, truth), 1e-12);
        assertEquals(4.0 / 9, fed(f1, scores, truth), 1e-12);
    }

    @Test
    void binaryPrecisionUsesClassesZeroAndOne() {
        // p > 0.5 gives 1 0 1 0 0 against 1 1 0 0 0. Class 1: predicted 2 times, 1 right -> 1/2; class 0: 2 of 3.
        ClassMetric precision = Metrics.precision(2);
        precision.update(Tensor.of(0.9f, 0.4f, 0.6f, 0.2f, 0.5f), Tensor.of(1, 1, 0, 0, 0));
        assertArrayEquals(new double[] {2.0 / 3, 1.0 / 2}, precision.perClass(), 1e-12);
        ClassMetric strict = Metrics.classMetric(ClassMetric.Kind.PRECISION, 2, 0.95);
        strict.update(Tensor.of(0.9f, 0.4f), Tensor.of(1, 0));
        assertArrayEquals(new double[] {1.0 / 2, 0}, strict.perClass(), 1e-12, "nothing above 0.95: 0 for class 1");
    }

    @Test
    void emptyUpdatesAddNothing() {
        List<Metric> metrics = List.of(Metrics.accuracy(), Metrics.topKAccuracy(2), Metrics.precision(3),
                Metrics.recall(3), Metrics.f1(3));
        for (Metric m : metrics) {
            m.update(Tensor.zeros(0, 3), Tensor.zeros(0));
            assertEquals(0, m.result(), m.name() + " of nothing");
            m.update(SCORES, LABELS);
            double once = m.result();
            m.update(Tensor.zeros(0, 3), Tensor.zeros(0, 3));
            assertEquals(once, m.result(), m.name() + " after an empty batch");
        }
        Metric binary = Metrics.accuracy();
        binary.update(Tensor.zeros(0), Tensor.zeros(0));
        assertEquals(0, binary.result());
    }

    @Test
    void mismatchedShapesNameTheMetricAndBothShapes() {
        for (Metric m : List.of(Metrics.accuracy(), Metrics.topKAccuracy(2), Metrics.f1(3))) {
            String batch = message(() -> m.update(SCORES, Tensor.of(0, 1, 2)));
            assertTrue(batch.startsWith(m.name() + ": prediction [6, 3] and target [3] do not fit"), batch);
            String classes = message(() -> m.update(SCORES, Tensor.zeros(6, 2)));
            assertTrue(classes.contains("[6, 3]") && classes.contains("[6, 2]"), classes);
            String rank = message(() -> m.update(Tensor.zeros(2, 3, 4), Tensor.zeros(2)));
            assertTrue(rank.startsWith(m.name() + ": prediction [2, 3, 4] (target [2]) must be [N, C]"), rank);
        }
        assertEquals("accuracy: prediction [3] and target [2] do not fit; a binary prediction needs 0/1 targets [3]"
                + " or [3, 1]", message(() -> Metrics.accuracy().update(Tensor.of(0.1f, 0.2f, 0.3f), Tensor.of(0, 1))));
        assertTrue(message(() -> Metrics.topKAccuracy(1).update(Tensor.of(0.5f), Tensor.of(1)))
                .contains("must be [N, C]"));
        assertEquals("precision: prediction [6, 3] has 3 classes, the metric was made for 4",
                message(() -> Metrics.precision(4).update(SCORES, LABELS)));
    }

    @Test
    void invalidTargetsAndSettingsAreRejectedWithTheirValues() {
        assertEquals("accuracy: target label 3.0 at position 1 is not an integer class index in [0, 3) for prediction"
                + " [2, 3]", message(() -> Metrics.accuracy().update(SCORES.narrow(0, 0, 2), Tensor.of(0, 3))));
        assertTrue(message(() -> Metrics.accuracy().update(SCORES.narrow(0, 0, 2), Tensor.of(0.5f, 1)))
                .contains("label 0.5 at position 0"));
        assertEquals("accuracy: binary target 0.7 at position 1 is neither 0 nor 1 (prediction [2])",
                message(() -> Metrics.accuracy().update(Tensor.of(0.2f, 0.9f), Tensor.fromArray(new double[] {0, 0.7}, 2))));
        assertEquals("top_k_accuracy: k must be at least 1, got 0", message(() -> Metrics.topKAccuracy(0)));
        assertEquals("f1_score: numClasses must be at least 2, got 1", message(() -> Metrics.f1(1)));
        assertEquals("accuracy: threshold must be finite, got NaN", message(() -> Metrics.accuracy(Double.NaN)));
    }

    private static String message(Runnable call) {
        return assertThrows(IllegalArgumentException.class, call::run).getMessage();
    }
}
