package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** The activation layer the hyperbolic tangent, element-wise. */
public final class Tanh extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
