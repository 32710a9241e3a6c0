package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** Flattens every dimension after the batch dimension: {@code [N, 28, 28]} becomes {@code [N, 784]}. */
public final class Flatten extends Module {
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() < 1) {
            throw new IllegalArgumentException("Flatten: input must have a batch dimension, got a scalar");
        }
        return x.dim() <= 2 ? x : x.flatten(1, -1);
    }

    @Override
    public int[] build(int[] inputShape, dev.nabla.tensor.Generator generator) {
        int n = 1;
        for (int s : inputShape) {
            n *= s;
        }
        return new int[] {n};
    }
}
