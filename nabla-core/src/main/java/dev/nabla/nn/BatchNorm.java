package dev.nabla.nn;

import dev.nabla.autograd.GradMode;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Batch normalisation, y = (x − μ)/√(σ² + ε)·γ + β per channel, composed of tensor ops (no primitive of its own).
 *
 * <p>PyTorch's semantics: in training, μ and σ² are the batch's mean and biased variance over every dimension but
 * the channels (dimension 1), and the running estimates move by {@code running = (1 − momentum)·running +
 * momentum·batch}, with the unbiased variance; in eval mode the running estimates normalise. They are buffers
 * ({@code running_mean}, {@code running_var}), saved with the weights but not trained.
 */
public abstract class BatchNorm extends Module {
    private final int features;
    private final double momentum;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;

    BatchNorm(int features, double momentum, double eps) {
        if (features <= 0 || !(momentum >= 0 && momentum <= 1) || !(eps > 0)) {
            throw new IllegalArgumentException(typeName() + ": features must be positive, momentum in [0, 1] and eps"
                    + " > 0, got " + features + ", " + momentum + ", " + eps);
        }
        this.features = features;
        this.momentum = momentum;
        this.eps = eps;
        weight = registerParameter("weight", Tensor.ones(features));
        bias = registerParameter("bias", Tensor.zeros(features));
        runningMean = registerBuffer("running_mean", Tensor.zeros(features));
        runningVar = registerBuffer("running_var", Tensor.ones(features));
    }

    /** The ranks (with batch) this layer accepts. */
    abstract boolean acceptsRank(int rank);

    /** The accepted shape, e.g. "[N, 16, H, W]" (or without the "N, " when {@code batched} is false). */
    abstract String expected(boolean batched);

    @Override
    public int[] build(int[] inputShape, Generator generator) {
        if (!acceptsRank(inputShape.length + 1) || inputShape[0] != features) {
            throw new IllegalArgumentException(this + ": input shape " + Shapes.str(inputShape) + " must be "
                    + expected(false) + " without the batch dimension");
        }
        return inputShape.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!acceptsRank(x.dim()) || x.size(1) != features) {
            throw new IllegalArgumentException(this + ": input of shape " + Shapes.str(x.shape()) + " must be "
                    + expected(true));
        }
        int[] dims = new int[x.dim() - 1];
        dims[0] = 0;
        for (int i = 2; i < x.dim(); i++) {
            dims[i - 1] = i;
        }
        int[] channelShape = new int[x.dim()];
        java.util.Arrays.fill(channelShape, 1);
        channelShape[1] = features;
        Tensor mean;
        Tensor var;
        if (isTraining()) {
            int n = x.numel() / features;
            if (n < 2) {
                throw new IllegalArgumentException(this + ": training needs more than one value per channel, got input "
                        + Shapes.str(x.shape()));
            }
            mean = x.mean(dims, true);
            var = x.var(dims, 0, true);
            try (var scope = GradMode.noGrad()) {
                Tensor m = mean.detach().reshape(features).to(runningMean.dtype());
                Tensor v = var.detach().reshape(features).mul((double) n / (n - 1)).to(runningVar.dtype());
                runningMean.copyFrom(runningMean.mul(1 - momentum).add(m.mul(momentum)));
                runningVar.copyFrom(runningVar.mul(1 - momentum).add(v.mul(momentum)));
            }
        } else {
            mean = runningMean.to(x.dtype()).reshape(channelShape);
            var = runningVar.to(x.dtype()).reshape(channelShape);
        }
        Tensor normalised = x.sub(mean).div(var.add(eps).sqrt());
        return normalised.mul(weight.to(x.dtype()).reshape(channelShape)).add(bias.to(x.dtype()).reshape(channelShape));
    }

    /** The number of channels normalised. */
    public int features() {
        return features;
    }

    /** γ, {@code [features]}. */
    public Tensor weight() {
        return weight;
    }

    /** β, {@code [features]}. */
    public Tensor bias() {
        return bias;
    }

    /** The running mean, a buffer. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** The running (unbiased) variance, a buffer. */
    public Tensor runningVar() {
        return runningVar;
    }

    /** "features", "momentum", "eps". */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("features", features);
        config.put("momentum", momentum);
        config.put("eps", eps);
        return config;
    }

    @Override
    public String toString() {
        return typeName() + "(" + describe() + ")";
    }

    @Override
    protected String describe() {
        return features + ", momentum=" + momentum + ", eps=" + eps;
    }
}
