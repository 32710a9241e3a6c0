package dev.nabla.train.metrics;

import dev.nabla.tensor.Tensor;

/**
 * The fraction of samples whose predicted class is the true one: argmax for class scores {@code [N, C]}, p &gt;
 * threshold for binary probabilities {@code [N]} / {@code [N, 1]} (Keras's categorical, sparse categorical and
 * binary accuracy, chosen by the shapes).
 */
public final class Accuracy implements Metric {
    private final double threshold;
    private long correct;
    private long total;

    Accuracy(double threshold) {
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public void reset() {
        correct = 0;
        total = 0;
    }

    @Override
    public void update(Tensor prediction, Tensor target) {
        Classes.Batch batch = Classes.of(name(), prediction, target, threshold);
        for (int i = 0; i < batch.predicted().length; i++) {
            if (batch.predicted()[i] == batch.actual()[i]) {
                correct++;
            }
        }
        total += batch.predicted().length;
    }

    @Override
    public double result() {
        return total == 0 ? 0 : (double) correct / total;
    }

    @Override
    public String toString() {
        return name() + " = " + result() + " (" + correct + " of " + total + ")";
    }
}
