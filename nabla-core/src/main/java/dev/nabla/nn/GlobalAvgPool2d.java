package dev.nabla.nn;

import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;

/** The mean of each channel over its whole image: {@code [N, C, H, W]} becomes {@code [N, C]} (Keras's GlobalAveragePooling2D). */
public final class GlobalAvgPool2d extends Module {
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException("GlobalAvgPool2d: input " + Shapes.str(x.shape()) + " must be [N, C, H, W]");
        }
        return x.mean(new int[] {2, 3}, false);
    }
}
