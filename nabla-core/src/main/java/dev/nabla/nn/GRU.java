package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.PreparedLinear;
import dev.nabla.tensor.Tensor;

/**
 * The gated recurrent unit, PyTorch's {@code nn.GRU} with its gate order (r, z, n):
 * r, z = σ(W·x + b + U·h + c), n = tanh(W_n·x + b_n + r ⊙ (U_n·h + c_n)), h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.
 */
public final class GRU extends Recurrent {
    /** A layer with PyTorch's initialisation U(±1/√hidden). */
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bidirectional, Generator generator) {
        super(inputSize, hiddenSize, numLayers, bidirectional, generator);
    }

    static GRU fromConfig(LayerConfig c) {
        return (GRU) Recurrent.fromConfig(c, GRU::new);
    }

    @Override
    int gates() {
        return 3;
    }

    @Override
    Tensor[] step(Tensor xw, Tensor h, Tensor c, PreparedLinear hidden) {
        return new Tensor[] {xw.gruCell(hidden.apply(h), h)};
    }
}
