package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** Learned positional embeddings: {@code x [N, T, dim]} plus row t of a {@code [maxLength, dim]} table (GPT-2's). */
public final class PositionalEmbedding extends Module {
    private final int maxLength;
    private final int dim;
    private final Tensor weight;

    /** A table initialised N(0, 0.02²), as GPT-2. */
    public PositionalEmbedding(int maxLength, int dim, Generator generator) {
        if (maxLength <= 0 || dim <= 0) {
            throw new IllegalArgumentException("PositionalEmbedding: maxLength " + maxLength + " and dim " + dim
                    + " must be positive");
        }
        this.maxLength = maxLength;
        this.dim = dim;
        weight = registerParameter("weight", Tensor.normal(generator, 0, 0.02, maxLength, dim));
    }

    static PositionalEmbedding fromConfig(LayerConfig c) {
        return new PositionalEmbedding(c.getInt("max_length"), c.getInt("dim"), new Generator(0));
    }

    @Override
    public int[] build(int[] inputShape, Generator generator) {
        check(inputShape, 0);
        return inputShape.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        check(x.shape(), 1);
        return x.add(weight.narrow(0, 0, x.size(1)).to(x.dtype()));
    }

    private void check(int[] shape, int timeAxis) {
        if (shape.length != timeAxis + 2 || shape[timeAxis + 1] != dim || shape[timeAxis] > maxLength) {
            throw new IllegalArgumentException(this + ": input shape " + Shapes.str(shape) + " must be [" + 
                    (timeAxis == 1 ? "batch, " : "") + "time ≤ " + maxLength + ", " + dim + "]");
        }
    }

    /** The longest sequence it can position. */
    public int maxLength() {
        return maxLength;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("max_length", maxLength);
        config.put("dim", dim);
        return config;
    }

    @Override
    protected String describe() {
        return "maxLength=" + maxLength + ", dim=" + dim;
    }
}
