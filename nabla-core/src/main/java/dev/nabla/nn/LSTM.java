package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.PreparedLinear;
import dev.nabla.tensor.Tensor;

/**
 * Long short-term memory, PyTorch's {@code nn.LSTM} with its gate order (i, f, g, o):
 * i, f, o = σ(W_i·x + b_i + U_i·h + c_i), g = tanh(...), c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ tanh(c_t).
 */
public final class LSTM extends Recurrent {
    /** A layer with PyTorch's initialisation U(±1/√hidden). */
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bidirectional, Generator generator) {
        super(inputSize, hiddenSize, numLayers, bidirectional, generator);
    }

    static LSTM fromConfig(LayerConfig c) {
        return (LSTM) Recurrent.fromConfig(c, LSTM::new);
    }

    @Override
    int gates() {
        return 4;
    }

    @Override
    boolean hasCell() {
        return true;
    }

    @Override
    Tensor[] step(Tensor xw, Tensor h, Tensor c, PreparedLinear hidden) {
        Tensor hc = xw.lstmCell(hidden.apply(h), c);
        int hs = hiddenSize();
        return new Tensor[] {hc.narrow(1, 0, hs), hc.narrow(1, hs, hs)};
    }
}
