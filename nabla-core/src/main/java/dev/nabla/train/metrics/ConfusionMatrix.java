package dev.nabla.train.metrics;

import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;

/**
 * Streaming counts of (true class, predicted class) pairs: {@code matrix()[t][p]} is how many samples of class t
 * were predicted as p. Precision, recall and F1 are read from it; it is not a {@link Metric} itself, since its
 * result is a table, not one number.
 */
public final class ConfusionMatrix {
    private final int classes;
    private final double threshold;
    private final int[][] counts;

    ConfusionMatrix(String metric, int classes, double threshold) {
        if (classes < 2) {
            throw new IllegalArgumentException(metric + ": numClasses must be at least 2, got " + classes);
        }
        this.classes = classes;
        this.threshold = threshold;
        this.counts = new int[classes][classes];
    }

    /** The number of classes C (rows and columns). */
    public int numClasses() {
        return classes;
    }

    /** Forgets all counts. */
    public void reset() {
        for (int[] row : counts) {
            java.util.Arrays.fill(row, 0);
        }
    }

    /** Adds a batch (shapes as for any {@link Metric}; binary predictions make classes 0 and 1). */
    public void update(Tensor prediction, Tensor target) {
        update("confusion_matrix", prediction, target);
    }

    void update(String metric, Tensor prediction, Tensor target) {
        Classes.Batch batch = Classes.of(metric, prediction, target, threshold);
        if (batch.classes() != classes) {
            throw new IllegalArgumentException(metric + ": prediction " + Shapes.str(prediction.shape()) + " has "
                    + batch.classes() + " classes, the metric was made for " + classes);
        }
        for (int i = 0; i < batch.predicted().length; i++) {
            counts[batch.actual()[i]][batch.predicted()[i]]++;
        }
    }

    /** A copy of the counts: rows are true classes, columns predicted classes. */
    public int[][] matrix() {
        int[][] copy = new int[classes][];
        for (int i = 0; i < classes; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    /** The number of samples added. */
    public long total() {
        long n = 0;
        for (int[] row : counts) {
            for (int c : row) {
                n += c;
            }
        }
        return n;
    }

    int truePositives(int c) {
        return counts[c][c];
    }

    /** How many samples were predicted as class c. */
    int predicted(int c) {
        int n = 0;
        for (int[] row : counts) {
            n += row[c];
        }
        return n;
    }

    /** How many samples truly are of class c. */
    int actual(int c) {
        int n = 0;
        for (int v : counts[c]) {
            n += v;
        }
        return n;
    }

    /** The table with a header row of predicted classes and a first column of true classes. */
    @Override
    public String toString() {
        String corner = "true\\pred";
        int width = String.valueOf(classes - 1).length();
        for (int[] row : counts) {
            for (int c : row) {
                width = Math.max(width, String.valueOf(c).length());
            }
        }
        StringBuilder sb = new StringBuilder("confusion matrix (rows: true class, columns: predicted class), ")
                .append(total()).append(" samples\n").append(corner);
        for (int p = 0; p < classes; p++) {
            sb.append(' ').append(pad(String.valueOf(p), width));
        }
        for (int t = 0; t < classes; t++) {
            sb.append('\n').append(pad(String.valueOf(t), corner.length()));
            for (int p = 0; p < classes; p++) {
                sb.append(' ').append(pad(String.valueOf(counts[t][p]), width));
            }
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
