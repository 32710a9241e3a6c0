package dev.nabla.train.metrics;

import dev.nabla.tensor.Tensor;

/**
 * The fraction of samples whose true class is among the k highest scores of {@code [N, C]} predictions. A tie at
 * the k-th place counts in the sample's favour: it is correct when fewer than k classes score strictly higher than
 * the true one (TensorFlow's {@code in_top_k}).
 */
public final class TopKAccuracy implements Metric {
    private final int k;
    private long correct;
    private long total;

    TopKAccuracy(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("top_k_accuracy: k must be at least 1, got " + k);
        }
        this.k = k;
    }

    /** How many of the highest scores count. */
    public int k() {
        return k;
    }

    @Override
    public String name() {
        return "top_k_accuracy";
    }

    @Override
    public void reset() {
        correct = 0;
        total = 0;
    }

    @Override
    public void update(Tensor prediction, Tensor target) {
        Classes.checkScores(name(), prediction, target);
        int n = prediction.size(0);
        int classes = prediction.size(1);
        int[] actual = Classes.labels(name(), prediction, target);
        double[] scores = prediction.toDoubleArray();
        for (int i = 0; i < n; i++) {
            double own = scores[i * classes + actual[i]];
            int higher = 0;
            for (int j = 0; j < classes; j++) {
                if (scores[i * classes + j] > own) {
                    higher++;
                }
            }
            if (higher < k) {
                correct++;
            }
        }
        total += n;
    }

    @Override
    public double result() {
        return total == 0 ? 0 : (double) correct / total;
    }

    @Override
    public String toString() {
        return name() + " (k=" + k + ") = " + result() + " (" + correct + " of " + total + ")";
    }
}
