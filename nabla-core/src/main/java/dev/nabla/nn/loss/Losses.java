package dev.nabla.nn.loss;

import dev.nabla.tensor.Tensor;

/**
 * The built-in losses, each composed from {@link Tensor} ops so that autograd differentiates it.
 *
 * <p>Every factory has a variant taking a {@link Reduction}; without one the loss is the mean over the batch.
 * Probability inputs are clipped to [{@link #EPSILON}, 1 − {@link #EPSILON}] before the logarithm, as Keras does
 * (PyTorch instead clamps the logarithm at −100); clipping keeps both the loss and its gradient finite when a
 * probability is exactly 0 or 1. The losses on logits need no clipping and are exact for any finite logit.
 */
public final class Losses {
    /** The clipping margin for probabilities, Keras's {@code backend.epsilon()}. */
    public static final double EPSILON = 1e-7;

    private Losses() {}

    /** Per-sample losses {@code [N]} of a prediction against its target. */
    @FunctionalInterface
    private interface PerSample {
        Tensor apply(String name, Tensor prediction, Tensor target);
    }

    private record Reduced(String name, Reduction reduction, PerSample perSample) implements Loss {
        @Override
        public Tensor apply(Tensor prediction, Tensor target) {
            return reduction.reduce(perSample.apply(name, prediction, target));
        }

        @Override
        public String toString() {
            return name + "(reduction=" + reduction + ")";
        }
    }

    private static Loss loss(String name, Reduction reduction, PerSample perSample) {
        if (reduction == null) {
            throw new IllegalArgumentException(name + ": reduction must not be null; use MEAN, SUM or NONE");
        }
        return new Reduced(name, reduction, perSample);
    }

    /** Mean squared error, (p − t)², averaged over each sample's elements. */
    public static Loss mse() {
        return mse(Reduction.MEAN);
    }

    /** Mean squared error with the given reduction. */
    public static Loss mse(Reduction reduction) {
        return loss("mean_squared_error", reduction,
                (name, p, t) -> Checks.perSample(p.sub(Checks.sameShape(name, p, t)).square()));
    }

    /** Mean absolute error, |p − t|, averaged over each sample's elements. */
    public static Loss mae() {
        return mae(Reduction.MEAN);
    }

    /** Mean absolute error with the given reduction. */
    public static Loss mae(Reduction reduction) {
        return loss("mean_absolute_error", reduction,
                (name, p, t) -> Checks.perSample(p.sub(Checks.sameShape(name, p, t)).abs()));
    }

    /**
     * Huber loss: ½e² where |e| &lt; δ, else δ(|e| − ½δ), for e = p − t; quadratic near the target and linear far
     * from it, so outliers pull less than with MSE. PyTorch's {@code HuberLoss(delta)} and Keras's {@code Huber}.
     */
    public static Loss huber(double delta) {
        return huber(delta, Reduction.MEAN);
    }

    /** Huber loss with the given reduction. */
    public static Loss huber(double delta, Reduction reduction) {
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("huber_loss: delta must be positive and finite, got " + delta);
        }
        return loss("huber_loss", reduction, (name, p, t) -> {
            Tensor error = p.sub(Checks.sameShape(name, p, t)).abs();
            Tensor quadratic = error.clamp(0, delta);
            Tensor linear = error.sub(quadratic);
            return Checks.perSample(quadratic.square().mul(0.5).add(linear.mul(delta)));
        });
    }

    /**
     * Binary cross-entropy on probabilities, −[t·log p + (1 − t)·log(1 − p)], with p clipped to
     * [{@link #EPSILON}, 1 − {@link #EPSILON}]. Targets may be soft (any value in [0, 1]).
     */
    public static Loss binaryCrossEntropy() {
        return binaryCrossEntropy(Reduction.MEAN);
    }

    /** Binary cross-entropy on probabilities with the given reduction. */
    public static Loss binaryCrossEntropy(Reduction reduction) {
        return loss("binary_crossentropy", reduction, (name, p, t) -> {
            Tensor target = Checks.sameShape(name, p, t);
            Checks.probabilities(name, p, "binaryCrossEntropyWithLogits");
            Tensor clipped = p.clamp(EPSILON, 1 - EPSILON);
            Tensor logLikelihood = target.mul(clipped.log()).add(target.rsub(1).mul(clipped.rsub(1).log()));
            return Checks.perSample(logLikelihood.neg());
        });
    }

    /**
     * Binary cross-entropy on logits x (before the sigmoid), log(1 + e^x) − x·t, with the softplus computed so that
     * it never overflows (the value of max(x, 0) − x·t + log(1 + e^−|x|)); TensorFlow's
     * {@code sigmoid_cross_entropy_with_logits}, PyTorch's {@code BCEWithLogitsLoss}.
     */
    public static Loss binaryCrossEntropyWithLogits() {
        return binaryCrossEntropyWithLogits(Reduction.MEAN);
    }

    /** Binary cross-entropy on logits with the given reduction. */
    public static Loss binaryCrossEntropyWithLogits(Reduction reduction) {
        return loss("sigmoid_cross_entropy_with_logits", reduction, (name, x, t) -> {
            Tensor target = Checks.sameShape(name, x, t);
            return Checks.perSample(softplus(x).sub(x.mul(target)));
        });
    }

    /**
     * log(1 + e^x) as m + log(e^−m + e^(x−m)) with m = max(x, 0) held constant: never overflows, and its gradient is
     * σ(x) everywhere. (Written as relu(x) + log(1 + e^−|x|), the kinks of relu and abs at 0 would each contribute a
     * zero subgradient there, giving 0 instead of ½.)
     */
    private static Tensor softplus(Tensor x) {
        Tensor m = x.relu().detach();
        return m.add(m.neg().exp().add(x.sub(m).exp()).log());
    }

    /**
     * Categorical cross-entropy on probabilities {@code [N, C]} against one-hot or soft targets {@code [N, C]}:
     * −Σ_c t_c·log p_c per sample. As in Keras, each row of p is first divided by its sum, then clipped to
     * [{@link #EPSILON}, 1 − {@link #EPSILON}]. On logits, {@link #softmaxCrossEntropy()} is faster and exact.
     */
    public static Loss categoricalCrossEntropy() {
        return categoricalCrossEntropy(Reduction.MEAN);
    }

    /** Categorical cross-entropy on probabilities with the given reduction. */
    public static Loss categoricalCrossEntropy(Reduction reduction) {
        return loss("categorical_crossentropy", reduction, (name, p, t) -> {
            Tensor target = Checks.distributions(name, p, t);
            Checks.probabilities(name, p, "softmaxCrossEntropy");
            Tensor clipped = p.div(p.sum(1, true)).clamp(EPSILON, 1 - EPSILON);
            return target.mul(clipped.log()).sum(1, false).neg();
        });
    }

    /**
     * Categorical cross-entropy on probabilities {@code [N, C]} against integer class labels {@code [N]} (held as
     * floating-point values): −log p[label] per sample, normalized and clipped like
     * {@link #categoricalCrossEntropy()}.
     */
    public static Loss sparseCategoricalCrossEntropy() {
        return sparseCategoricalCrossEntropy(Reduction.MEAN);
    }

    /** Sparse categorical cross-entropy on probabilities with the given reduction. */
    public static Loss sparseCategoricalCrossEntropy(Reduction reduction) {
        return loss("sparse_categorical_crossentropy", reduction, (name, p, t) -> {
            Tensor index = Checks.labels(name, p, t);
            Checks.probabilities(name, p, "softmaxCrossEntropy");
            Tensor picked = p.div(p.sum(1, true)).gather(1, index).clamp(EPSILON, 1 - EPSILON);
            return picked.log().neg().reshape(p.size(0));
        });
    }

    /**
     * Softmax cross-entropy on logits {@code [N, C]}, fused through {@link Tensor#logSoftmax} so that it is exact
     * and finite for any finite logits; TensorFlow's {@code softmax_cross_entropy_with_logits}, PyTorch's
     * {@code CrossEntropyLoss}. Targets are integer labels {@code [N]} or one-hot/probability rows {@code [N, C]}.
     */
    public static Loss softmaxCrossEntropy() {
        return softmaxCrossEntropy(0, Reduction.MEAN);
    }

    /** Softmax cross-entropy on logits with the given reduction. */
    public static Loss softmaxCrossEntropy(Reduction reduction) {
        return softmaxCrossEntropy(0, reduction);
    }

    /**
     * Softmax cross-entropy on logits with label smoothing ε: the target becomes (1 − ε)·t + ε/C, with t the one-hot
     * row of an integer label or the given probability row (PyTorch's {@code label_smoothing}).
     */
    public static Loss softmaxCrossEntropy(double labelSmoothing, Reduction reduction) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("softmax_cross_entropy_with_logits: labelSmoothing must be in [0, 1], got "
                    + labelSmoothing);
        }
        return loss("softmax_cross_entropy_with_logits", reduction, (name, logits, t) -> {
            Checks.classScores(name, logits, t);
            Tensor logProbs = logits.logSoftmax(1);
            if (t.dim() == 1) {
                Tensor nll = logProbs.gather(1, Checks.labels(name, logits, t)).reshape(logits.size(0)).neg();
                if (labelSmoothing == 0) {
                    return nll;
                }
                Tensor uniform = logProbs.mean(1, false).neg();
                return nll.mul(1 - labelSmoothing).add(uniform.mul(labelSmoothing));
            }
            Tensor target = Checks.distributions(name, logits, t);
            if (labelSmoothing != 0) {
                target = target.mul(1 - labelSmoothing).add(labelSmoothing / logits.size(1));
            }
            return target.mul(logProbs).sum(1, false).neg();
        });
    }
}
