package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** Max pooling over windows of {@code [N, C, H, W]}; the gradient goes to each window's (first) maximum. */
public final class MaxPool2d extends Pool2d {
    /** {@code kernel×kernel} windows with stride {@code kernel} (Keras's {@code MaxPooling2D(k)}). */
    public MaxPool2d(int kernel) {
        this(new int[] {kernel}, null, new int[] {0});
    }

    /** Each size one value for both dimensions or two; stride null means the kernel; padding counts as −∞. */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding) {
        super(kernel, stride, padding);
    }

    static MaxPool2d fromConfig(LayerConfig c) {
        int[][] s = read(c);
        return new MaxPool2d(s[0], s[1], s[2]);
    }

    @Override
    Tensor pool(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return x.maxPool2d(kernel, stride, padding);
    }
}
