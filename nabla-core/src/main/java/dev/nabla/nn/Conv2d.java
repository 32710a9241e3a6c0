package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;

/**
 * A 2-d convolution layer over {@code [N, C, H, W]} inputs: PyTorch's {@code Conv2d}, Keras's {@code Conv2D}.
 *
 * <p>{@code new Conv2d(in, out, kernel, stride, padding, generator)} is built at once with PyTorch's default
 * initialisation, U(±1/√fanIn) for weight and bias. {@link #of(int, int, String, Activation)} waits for
 * {@link #build} to learn the channel count and uses Keras's defaults: Glorot-uniform weight, zero bias.
 */
public final class Conv2d extends Convolution {
    Conv2d(int out, int[] kernel, int[] stride, String paddingMode, int[] padding, int[] dilation, int groups,
            boolean bias, Activation activation, Init.Initializer weightInit, Init.Initializer biasInit) {
        super(2, out, kernel, stride, paddingMode, padding, dilation, groups, bias, activation, weightInit, biasInit);
    }

    /** A built layer with PyTorch's defaults: square kernel, one stride and padding for both dimensions. */
    public Conv2d(int in, int out, int kernel, int stride, int padding, Generator generator) {
        this(in, out, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1}, 1, true,
                generator);
    }

    /** A built layer with every PyTorch setting (each size one value for both dimensions, or two). */
    public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups,
            boolean bias, Generator generator) {
        this(out, kernel, stride, null, padding, dilation, groups, bias, Activation.LINEAR, Init.TORCH_DEFAULT, null);
        create(in, generator);
    }

    /** Keras's {@code Conv2D(filters, kernel, padding=..., activation=...)}: built on first use, stride 1. */
    public static Conv2d of(int filters, int kernel, String padding, Activation activation) {
        return new Conv2d(filters, new int[] {kernel}, new int[] {1}, padding, null, new int[] {1}, 1, true,
                activation, Init.GLOROT_UNIFORM, Init.ZEROS);
    }

    /** An unbuilt layer from its {@link #config()}, with Keras's initialisation until weights are loaded. */
    static Conv2d fromConfig(LayerConfig c) {
        String mode = paddingMode(c);
        Conv2d layer = new Conv2d(c.getInt("out"), c.getInts("kernel"), c.getInts("stride", new int[] {1}), mode,
                mode == null ? c.getInts("padding") : null, c.getInts("dilation", new int[] {1}),
                c.getInt("groups", 1), c.getBoolean("bias", true), activation(c), Init.GLOROT_UNIFORM, Init.ZEROS);
        readInto(layer, c);
        return layer;
    }

    @Override
    Tensor convolve(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] pad, int[] dilation, int groups,
            boolean relu) {
        return relu ? x.conv2dRelu(weight, bias, stride, pad, dilation, groups)
                : x.conv2d(weight, bias, stride, pad, dilation, groups);
    }
}
