package dev.nabla.train.metrics;

import dev.nabla.tensor.Tensor;

/**
 * Precision, recall or F1 for each class, and their macro average as the {@link #result}, counted in a
 * {@link ConfusionMatrix}.
 *
 * <p>For class c: precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2·P·R / (P + R). A zero denominator
 * gives 0 (a class never predicted has precision 0; a class never present has recall 0), as scikit-learn does with
 * its default {@code zero_division}. The macro average is the plain mean over the classes that occurred so far,
 * in targets or in predictions, as scikit-learn averages over the labels it has seen; a class seen nowhere has no
 * precision or recall to speak of and is left out.
 */
public final class ClassMetric implements Metric {
    /** Which ratio this metric computes. */
    public enum Kind {
        PRECISION("precision"),
        RECALL("recall"),
        F1("f1_score");

        private final String kerasName;

        Kind(String kerasName) {
            this.kerasName = kerasName;
        }

        /** The metric's Keras name: "precision", "recall" or "f1_score". */
        public String kerasName() {
            return kerasName;
        }
    }

    private final Kind kind;
    private final ConfusionMatrix confusion;

    ClassMetric(Kind kind, int numClasses, double threshold) {
        this.kind = kind;
        this.confusion = new ConfusionMatrix(kind.kerasName, numClasses, threshold);
    }

    /** Which ratio this is. */
    public Kind kind() {
        return kind;
    }

    @Override
    public String name() {
        return kind.kerasName;
    }

    @Override
    public void reset() {
        confusion.reset();
    }

    @Override
    public void update(Tensor prediction, Tensor target) {
        confusion.update(name(), prediction, target);
    }

    /** The value for each class, index = class. */
    public double[] perClass() {
        double[] values = new double[confusion.numClasses()];
        for (int c = 0; c < values.length; c++) {
            values[c] = of(c);
        }
        return values;
    }

    /** The macro average over the classes seen so far; 0 before any sample. */
    @Override
    public double result() {
        double sum = 0;
        int seen = 0;
        for (int c = 0; c < confusion.numClasses(); c++) {
            if (confusion.actual(c) > 0 || confusion.predicted(c) > 0) {
                sum += of(c);
                seen++;
            }
        }
        return seen == 0 ? 0 : sum / seen;
    }

    /** A copy of the underlying counts: rows are true classes, columns predicted classes. */
    public int[][] matrix() {
        return confusion.matrix();
    }

    private double of(int c) {
        double tp = confusion.truePositives(c);
        double precision = ratio(tp, confusion.predicted(c));
        double recall = ratio(tp, confusion.actual(c));
        return switch (kind) {
            case PRECISION -> precision;
            case RECALL -> recall;
            case F1 -> ratio(2 * precision * recall, precision + recall);
        };
    }

    private static double ratio(double numerator, double denominator) {
        return denominator == 0 ? 0 : numerator / denominator;
    }

    @Override
    public String toString() {
        return name() + " = " + result() + " (macro), per class " + java.util.Arrays.toString(perClass());
    }
}
