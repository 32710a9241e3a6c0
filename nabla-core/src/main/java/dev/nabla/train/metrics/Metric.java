package dev.nabla.train.metrics;

import dev.nabla.tensor.Tensor;

/**
 * A streaming measure of model quality: batches are added with {@link #update} as a training loop sees them, and
 * {@link #result} is the value over everything added since the last {@link #reset}.
 *
 * <p>Targets are integer class labels {@code [N]} (held as floating-point values) or one-hot rows {@code [N, C]};
 * predictions are class scores {@code [N, C]} (probabilities or logits; the largest wins), or probabilities
 * {@code [N]} / {@code [N, 1]} of the positive class for binary problems, compared with a threshold. Metrics read
 * values only; they record nothing in the autograd graph. Factories are in {@link Metrics}.
 */
public interface Metric {
    /** The Keras name shown in progress output and histories, e.g. "accuracy". */
    String name();

    /** Forgets everything added, for the next epoch. */
    void reset();

    /**
     * Adds a batch.
     *
     * @throws IllegalArgumentException when the shapes do not fit or a label is not a valid class; the message
     *     names the metric, both shapes and the offending value
     */
    void update(Tensor prediction, Tensor target);

    /** The value over all batches since the last reset; 0 before any sample was added (as in Keras). */
    double result();
}
