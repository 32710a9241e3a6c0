package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.PreparedLinear;
import dev.nabla.tensor.Tensor;

/** The Elman recurrent layer, h_t = tanh(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh): PyTorch's {@code nn.RNN}. */
public final class RNN extends Recurrent {
    /** A layer with PyTorch's initialisation U(±1/√hidden). */
    public RNN(int inputSize, int hiddenSize, int numLayers, boolean bidirectional, Generator generator) {
        super(inputSize, hiddenSize, numLayers, bidirectional, generator);
    }

    static RNN fromConfig(LayerConfig c) {
        return (RNN) Recurrent.fromConfig(c, RNN::new);
    }

    @Override
    int gates() {
        return 1;
    }

    @Override
    Tensor[] step(Tensor xw, Tensor h, Tensor c, PreparedLinear hidden) {
        return new Tensor[] {xw.add(hidden.apply(h)).tanh()};
    }
}
