package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;

/**
 * A 1-d convolution layer over {@code [N, C, L]} inputs (sequences, signals): PyTorch's {@code Conv1d}, Keras's
 * {@code Conv1D}; computed as a 2-d convolution of height 1. Made the same two ways as {@link Conv2d}.
 */
public final class Conv1d extends Convolution {
    Conv1d(int out, int[] kernel, int[] stride, String paddingMode, int[] padding, int[] dilation, int groups,
            boolean bias, Activation activation, Init.Initializer weightInit, Init.Initializer biasInit) {
        super(1, out, kernel, stride, paddingMode, padding, dilation, groups, bias, activation, weightInit, biasInit);
    }

    /** A built layer with PyTorch's defaults. */
    public Conv1d(int in, int out, int kernel, int stride, int padding, Generator generator) {
        this(out, new int[] {kernel}, new int[] {stride}, null, new int[] {padding}, new int[] {1}, 1, true,
                Activation.LINEAR, Init.TORCH_DEFAULT, null);
        create(in, generator);
    }

    /** Keras's {@code Conv1D(filters, kernel, padding=..., activation=...)}: built on first use, stride 1. */
    public static Conv1d of(int filters, int kernel, String padding, Activation activation) {
        return new Conv1d(filters, new int[] {kernel}, new int[] {1}, padding, null, new int[] {1}, 1, true,
                activation, Init.GLOROT_UNIFORM, Init.ZEROS);
    }

    /** An unbuilt layer from its {@link #config()}. */
    static Conv1d fromConfig(LayerConfig c) {
        String mode = paddingMode(c);
        Conv1d layer = new Conv1d(c.getInt("out"), c.getInts("kernel"), c.getInts("stride", new int[] {1}), mode,
                mode == null ? c.getInts("padding") : null, c.getInts("dilation", new int[] {1}),
                c.getInt("groups", 1), c.getBoolean("bias", true), activation(c), Init.GLOROT_UNIFORM, Init.ZEROS);
        readInto(layer, c);
        return layer;
    }

    @Override
    Tensor convolve(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] pad, int[] dilation, int groups,
            boolean relu) {
        Tensor y = x.conv1d(weight, bias, stride[0], pad[0], dilation[0], groups);
        return relu ? y.relu() : y;
    }
}
