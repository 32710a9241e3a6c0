package dev.nabla.nn.loss;

import dev.nabla.tensor.Tensor;

/**
 * How a loss turns its per-sample losses (shape {@code [N]}) into what it returns.
 *
 * <p>{@code SUM} is the sum of the per-sample losses and {@code MEAN} their mean, so that summing a loss over
 * batches and dividing by the number of samples gives the mean. For element-wise losses (MSE, MAE, Huber, binary
 * cross-entropy) the per-sample loss of a {@code [N, D]} prediction is the mean over its D elements, as in Keras;
 * {@code MEAN} then equals PyTorch's {@code reduction='mean'}, while {@code SUM} is PyTorch's {@code 'sum'} divided
 * by D (the two agree for {@code [N]} inputs).
 */
public enum Reduction {
    /** The mean over the batch: what training minimizes by default. */
    MEAN,
    /** The sum over the batch. */
    SUM,
    /** No reduction: the per-sample losses, shape {@code [N]}. */
    NONE;

    /** Applies this reduction to per-sample losses. */
    public Tensor reduce(Tensor perSample) {
        return switch (this) {
            case MEAN -> perSample.mean();
            case SUM -> perSample.sum();
            case NONE -> perSample;
        };
    }
}
