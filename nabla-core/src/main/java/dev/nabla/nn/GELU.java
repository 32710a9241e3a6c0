package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** The activation layer GELU (tanh approximation), element-wise. */
public final class GELU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.gelu();
    }
}
