package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.Map;

/**
 * Zeroes each element with probability p during training and scales the rest by 1/(1 − p), so eval mode, where
 * it does nothing, sees the same expected values (inverted dropout, as in PyTorch and Keras).
 *
 * <p>Its randomness comes from its own {@link Generator}, split off the model's generator at {@link #build} (or
 * given to the constructor), so a seeded model drops the same elements on every run. To checkpoint and resume
 * exactly, checkpoints save its state: it is registered with {@link Module#registerGenerator}.
 */
public final class Dropout extends Module {
    private final double p;
    private Generator generator;

    /** Dropout with probability {@code p}; its generator comes from {@link #build}. */
    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        }
        this.p = p;
    }

    /** Dropout with probability {@code p} and its own generator, usable without building. */
    public Dropout(double p, Generator generator) {
        this(p);
        this.generator = registerGenerator("generator", generator);
    }

    static Dropout fromConfig(LayerConfig c) {
        return new Dropout(c.getDouble("p"));
    }

    @Override
    public int[] build(int[] inputShape, Generator modelGenerator) {
        if (generator == null) {
            generator = registerGenerator("generator", new Generator(modelGenerator.nextLong()));
        }
        return inputShape.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        if (generator == null) {
            throw new IllegalStateException("Dropout(p=" + p + ") has no generator: build it (Model.build or"
                    + " Module.build) or pass one to the constructor");
        }
        Tensor keep = Tensor.rand(generator, x.shape()).ge(p).to(x.dtype()).mul(1 / (1 - p));
        return x.mul(keep);
    }

    /** The generator that draws the masks (null before build); its state is what a checkpoint saves. */
    public Generator generator() {
        return generator;
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("p", p);
    }

    @Override
    protected String describe() {
        return "p=" + p;
    }
}
