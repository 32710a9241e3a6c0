package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** The activation layer max(x, 0), element-wise. */
public final class ReLU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
