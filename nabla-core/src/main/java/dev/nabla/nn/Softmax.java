package dev.nabla.nn;

import dev.nabla.tensor.Tensor;
import java.util.Map;

/** The softmax layer over one dimension (the last by default), turning scores into probabilities. */
public final class Softmax extends Module {
    private final int dim;

    /** Softmax over the last dimension. */
    public Softmax() {
        this(-1);
    }

    /** Softmax over {@code dim}. */
    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.softmax(dim);
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("dim", dim);
    }

    @Override
    protected String describe() {
        return "dim=" + dim;
    }
}
