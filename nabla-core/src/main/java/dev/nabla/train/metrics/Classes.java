package dev.nabla.train.metrics;

import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;

/** Turns a batch of predictions and targets into predicted and true class indices, checking that they fit. */
final class Classes {
    private Classes() {}

    /** One batch as class indices: {@code predicted[i]} and {@code actual[i]} for sample i, out of {@code classes}. */
    record Batch(int[] predicted, int[] actual, int classes) {}

    static boolean isBinary(Tensor prediction) {
        return prediction.dim() == 1 || (prediction.dim() == 2 && prediction.size(1) == 1);
    }

    /** The class of each sample: the largest score, or for binary predictions whether p exceeds the threshold. */
    static Batch of(String metric, Tensor prediction, Tensor target, double threshold) {
        if (isBinary(prediction)) {
            int n = prediction.size(0);
            int[] actual = binaryTargets(metric, prediction, target);
            double[] p = prediction.toDoubleArray();
            int[] predicted = new int[n];
            for (int i = 0; i < n; i++) {
                predicted[i] = p[i] > threshold ? 1 : 0;
            }
            return new Batch(predicted, actual, 2);
        }
        checkScores(metric, prediction, target);
        int n = prediction.size(0);
        int classes = prediction.size(1);
        double[] scores = prediction.toDoubleArray();
        int[] predicted = new int[n];
        for (int i = 0; i < n; i++) {
            predicted[i] = argmax(scores, i * classes, classes);
        }
        return new Batch(predicted, labels(metric, prediction, target), classes);
    }

    /** Checks that the prediction is class scores {@code [N, C]} with C ≥ 2. */
    static void checkScores(String metric, Tensor prediction, Tensor target) {
        if (prediction.dim() != 2 || prediction.size(1) < 2) {
            throw new IllegalArgumentException(metric + ": prediction " + Shapes.str(prediction.shape())
                    + " (target " + Shapes.str(target.shape()) + ") must be [N, C] class scores with C >= 2, or [N] /"
                    + " [N, 1] probabilities of a binary problem");
        }
    }

    /** The true class of each sample of a {@code [N, C]} prediction: integer labels, or the argmax of one-hot rows. */
    static int[] labels(String metric, Tensor prediction, Tensor target) {
        int n = prediction.size(0);
        int classes = prediction.size(1);
        boolean labelVector = (target.dim() == 1 || (target.dim() == 2 && target.size(1) == 1)) && target.size(0) == n;
        boolean oneHot = target.dim() == 2 && target.size(0) == n && target.size(1) == classes;
        if (!labelVector && !oneHot) {
            throw new IllegalArgumentException(metric + ": prediction " + Shapes.str(prediction.shape()) + " and target "
                    + Shapes.str(target.shape()) + " do not fit; targets must be integer labels [" + n + "] or one-hot"
                    + " rows [" + n + ", " + classes + "]");
        }
        double[] t = target.toDoubleArray();
        int[] actual = new int[n];
        for (int i = 0; i < n; i++) {
            actual[i] = oneHot ? argmax(t, i * classes, classes) : label(metric, t[i], i, classes, prediction);
        }
        return actual;
    }

    private static int[] binaryTargets(String metric, Tensor prediction, Tensor target) {
        int n = prediction.size(0);
        boolean fits = (target.dim() == 1 || (target.dim() == 2 && target.size(1) == 1)) && target.size(0) == n;
        if (!fits) {
            throw new IllegalArgumentException(metric + ": prediction " + Shapes.str(prediction.shape()) + " and target "
                    + Shapes.str(target.shape()) + " do not fit; a binary prediction needs 0/1 targets [" + n + "] or ["
                    + n + ", 1]");
        }
        double[] t = target.toDoubleArray();
        int[] actual = new int[n];
        for (int i = 0; i < n; i++) {
            if (t[i] != 0 && t[i] != 1) {
                throw new IllegalArgumentException(metric + ": binary target " + t[i] + " at position " + i
                        + " is neither 0 nor 1 (prediction " + Shapes.str(prediction.shape()) + ")");
            }
            actual[i] = (int) t[i];
        }
        return actual;
    }

    private static int label(String metric, double v, int position, int classes, Tensor prediction) {
        if (v != Math.rint(v) || v < 0 || v >= classes) {
            throw new IllegalArgumentException(metric + ": target label " + v + " at position " + position
                    + " is not an integer class index in [0, " + classes + ") for prediction "
                    + Shapes.str(prediction.shape()));
        }
        return (int) v;
    }

    /** The index of the largest of {@code length} values from {@code from}; the first wins ties. */
    static int argmax(double[] values, int from, int length) {
        int best = 0;
        for (int j = 1; j < length; j++) {
            if (values[from + j] > values[from + best]) {
                best = j;
            }
        }
        return best;
    }
}
