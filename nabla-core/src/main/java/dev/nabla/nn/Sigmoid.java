package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** The activation layer 1 / (1 + e^−x), element-wise. */
public final class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
