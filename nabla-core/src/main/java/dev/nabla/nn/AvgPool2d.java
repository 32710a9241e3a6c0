package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** Average pooling over windows of {@code [N, C, H, W]}; zero padding counts in the average (PyTorch's default). */
public final class AvgPool2d extends Pool2d {
    /** {@code kernel×kernel} windows with stride {@code kernel}. */
    public AvgPool2d(int kernel) {
        this(new int[] {kernel}, null, new int[] {0});
    }

    /** Each size one value for both dimensions or two; stride null means the kernel. */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding) {
        super(kernel, stride, padding);
    }

    static AvgPool2d fromConfig(LayerConfig c) {
        int[][] s = read(c);
        return new AvgPool2d(s[0], s[1], s[2]);
    }

    @Override
    Tensor pool(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return x.avgPool2d(kernel, stride, padding);
    }
}
