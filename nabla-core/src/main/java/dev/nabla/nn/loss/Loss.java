package dev.nabla.nn.loss;

import dev.nabla.tensor.Tensor;

/**
 * A loss function: how far a prediction is from its target, as a tensor that autograd can differentiate.
 *
 * <p>Built-in losses come from {@link Losses}; they are composed from {@link Tensor} ops, so their gradients come
 * from the ops' own derivative rules. A lambda is a loss too: {@code Loss mine = (p, t) -> p.sub(t).abs().mean();}
 */
@FunctionalInterface
public interface Loss {
    /**
     * The loss of {@code prediction} against {@code target}: a scalar for {@link Reduction#MEAN} and
     * {@link Reduction#SUM}, per-sample losses of shape {@code [N]} for {@link Reduction#NONE}.
     *
     * @throws IllegalArgumentException when the shapes do not fit; the message names the loss and both shapes
     */
    Tensor apply(Tensor prediction, Tensor target);

    /** The Keras-style name shown in progress output and saved in model configs, e.g. "categorical_crossentropy". */
    default String name() {
        return "loss";
    }
}
