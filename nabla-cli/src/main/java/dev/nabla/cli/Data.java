package dev.nabla.cli;

import dev.nabla.data.Datasets;
import dev.nabla.data.LabeledImages;
import dev.nabla.data.Split;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;

/** Loads a dataset by name or directory and turns its images and labels into tensors. */
final class Data {
    private Data() {}

    /** Images as float32 [N, rows, cols] scaled to [0, 1], and labels as float32 [N]. */
    record Tensors(Tensor x, Tensor y, int count) {}

    static Split load(String nameOrPath) throws IOException {
        Split split = Datasets.fromEnvironment().load(nameOrPath);
        System.err.println("data: " + split);
        return split;
    }

    /** {@code n} images drawn without replacement in a seeded random order (all of them when n ≥ count). */
    static LabeledImages sample(LabeledImages images, int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("--limit must be positive, got " + n);
        }
        int[] order = new int[images.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        new Generator(seed).shuffle(order);
        return images.select(java.util.Arrays.copyOf(order, Math.min(n, order.length)));
    }

    static Tensors tensors(LabeledImages images) {
        return tensors(images, new int[] {images.rows(), images.cols()});
    }

    /**
     * Images as float32 {@code [N, ...inputShape]} (such as {@code [N, 1, rows, cols]} for a convolutional network),
     * labels as float32 [N]; the pixels are not copied.
     */
    static Tensors tensors(LabeledImages images, int[] inputShape) {
        int[] shape = new int[inputShape.length + 1];
        shape[0] = images.count();
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        Tensor x = Tensor.wrap(images.pixelsAsFloats(), shape);
        float[] labels = new float[images.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = images.labels()[i];
        }
        return new Tensors(x, Tensor.fromArray(labels, labels.length), images.count());
    }
}
