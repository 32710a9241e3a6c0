package dev.nabla.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * A set of grey-scale images with one integer label each, as plain arrays: the form MNIST-like
 * datasets load into before they become tensors.
 *
 * <p>Image {@code i} is {@code pixels[i*rows*cols .. (i+1)*rows*cols)}, row-major, each byte an
 * unsigned intensity 0..255. The arrays are held as given, not copied; treat them as read-only.
 *
 * @param pixels {@code count × rows × cols} unsigned bytes
 * @param labels {@code count} labels, one per image
 * @param count  number of images, zero or more
 * @param rows   image height, positive
 * @param cols   image width, positive
 */
public record LabeledImages(byte[] pixels, int[] labels, int count, int rows, int cols) {

    public LabeledImages {
        Objects.requireNonNull(pixels, "LabeledImages: pixels");
        Objects.requireNonNull(labels, "LabeledImages: labels");
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("LabeledImages: count " + count + ", rows " + rows
                    + ", cols " + cols + ": count must be >= 0 and rows, cols > 0");
        }
        long expected = (long) count * rows * cols;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("LabeledImages: " + count + " images of " + rows + "×"
                    + cols + " need " + expected + " pixels but pixels.length is " + pixels.length);
        }
        if (labels.length != count) {
            throw new IllegalArgumentException("LabeledImages: " + count
                    + " images but labels.length is " + labels.length);
        }
    }

    /** Pixels per image, {@code rows × cols}. */
    public int imageSize() {
        return rows * cols;
    }

    /**
     * All pixels as floats scaled to [0, 1] ({@code value / 255}), the input scaling the seed's MNIST
     * example uses; row-major {@code count × rows·cols}.
     */
    public float[] pixelsAsFloats() {
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = (pixels[i] & 0xFF) / 255f;
        }
        return out;
    }

    /** The labels one-hot encoded, {@code count × numClasses} row-major; see {@link #oneHot}. */
    public float[] labelsOneHot(int numClasses) {
        return oneHot(labels, numClasses);
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive), copied. */
    public LabeledImages subset(int from, int to) {
        if (from < 0 || to > count || from > to) {
            throw new IndexOutOfBoundsException("LabeledImages.subset: range [" + from + ", " + to
                    + ") is not within [0, " + count + "]");
        }
        int size = imageSize();
        return new LabeledImages(Arrays.copyOfRange(pixels, from * size, to * size),
                Arrays.copyOfRange(labels, from, to), to - from, rows, cols);
    }

    /** The images at {@code indices}, in that order, copied; indices may repeat. */
    public LabeledImages select(int[] indices) {
        int size = imageSize();
        byte[] p = new byte[indices.length * size];
        int[] l = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= count) {
                throw new IndexOutOfBoundsException("LabeledImages.select: indices[" + k + "] is " + i
                        + ", outside [0, " + count + ")");
            }
            System.arraycopy(pixels, i * size, p, k * size, size);
            l[k] = labels[i];
        }
        return new LabeledImages(p, l, indices.length, rows, cols);
    }

    /**
     * Splits off the last {@code round(count × validationFraction)} images, in their current order,
     * as a validation set; the rest is the training set.
     *
     * @param validationFraction in [0, 1]
     * @return a split whose {@code test} part is the validation set
     */
    public Split split(double validationFraction) {
        int validation = validationCount(validationFraction);
        return new Split(subset(0, count - validation), subset(count - validation, count),
                "unshuffled split: " + (count - validation) + " train, last " + validation + " validation");
    }

    /**
     * Shuffles with {@code seed}, then splits off the last {@code round(count × validationFraction)}
     * images as a validation set. The permutation is a Fisher–Yates shuffle driven by
     * {@link java.util.Random}, whose algorithm the JDK specifies, so a seed gives the same split on
     * every JVM.
     */
    public Split split(double validationFraction, long seed) {
        int validation = validationCount(validationFraction);
        int[] order = permutation(count, seed);
        int train = count - validation;
        return new Split(select(Arrays.copyOfRange(order, 0, train)),
                select(Arrays.copyOfRange(order, train, count)),
                "shuffled split (seed " + seed + "): " + train + " train, " + validation + " validation");
    }

    /** A permutation of {@code 0..n-1}: Fisher–Yates driven by {@code new Random(seed)}. */
    static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private int validationCount(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("LabeledImages.split: validationFraction is " + fraction
                    + "; it must be in [0, 1]");
        }
        return (int) Math.round(count * fraction);
    }

    /**
     * One-hot encodes labels: row {@code i} of the {@code labels.length × numClasses} row-major result
     * is 1 in column {@code labels[i]} and 0 elsewhere (Keras's {@code to_categorical}).
     *
     * @throws IllegalArgumentException if {@code numClasses < 1} or a label is outside
     *                                  {@code [0, numClasses)}
     */
    public static float[] oneHot(int[] labels, int numClasses) {
        Objects.requireNonNull(labels, "oneHot: labels");
        if (numClasses < 1) {
            throw new IllegalArgumentException("oneHot: numClasses is " + numClasses + "; it must be >= 1");
        }
        if ((long) labels.length * numClasses > Idx.MAX_ELEMENTS) {
            throw new IllegalArgumentException("oneHot: " + labels.length + " labels × " + numClasses
                    + " classes is more than a Java array can hold");
        }
        float[] out = new float[labels.length * numClasses];
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i];
            if (label < 0 || label >= numClasses) {
                throw new IllegalArgumentException("oneHot: labels[" + i + "] is " + label
                        + ", outside [0, " + numClasses + ") for numClasses " + numClasses);
            }
            out[i * numClasses + label] = 1f;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabeledImages other && count == other.count && rows == other.rows
                && cols == other.cols && Arrays.equals(labels, other.labels)
                && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, rows, cols, Arrays.hashCode(labels), Arrays.hashCode(pixels));
    }

    @Override
    public String toString() {
        return "LabeledImages[" + count + " × " + rows + "×" + cols + "]";
    }
}
