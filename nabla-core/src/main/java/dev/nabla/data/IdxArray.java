package dev.nabla.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * The contents of an unsigned-byte IDX file: its shape and its elements in row-major order.
 *
 * <p>The arrays are held as given, not copied, because image data is large; treat them as read-only.
 *
 * @param shape the dimensions, outermost first (for MNIST images {@code [count, rows, cols]})
 * @param data  the elements, {@code product(shape)} bytes, each an unsigned value 0..255
 */
public record IdxArray(int[] shape, byte[] data) {

    public IdxArray {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        if (shape.length < 1 || shape.length > Idx.MAX_RANK) {
            throw new IllegalArgumentException(
                    "IdxArray: rank " + shape.length + " is outside 1.." + Idx.MAX_RANK);
        }
        long product = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] <= 0) {
                throw new IllegalArgumentException("IdxArray: dimension " + i + " of shape "
                        + Arrays.toString(shape) + " is " + shape[i] + "; dimensions must be positive");
            }
            product *= shape[i];
            if (product > Idx.MAX_ELEMENTS) {
                throw new IllegalArgumentException("IdxArray: shape " + Arrays.toString(shape)
                        + " has more elements than a Java array can hold");
            }
        }
        if (product != data.length) {
            throw new IllegalArgumentException("IdxArray: shape " + Idx.formatShape(shape) + " = "
                    + product + " elements but data holds " + data.length);
        }
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}, outermost first. */
    public int dim(int i) {
        return shape[i];
    }

    /** Element {@code i} of the flattened data as an unsigned value 0..255. */
    public int unsigned(int i) {
        return data[i] & 0xFF;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxArray other
                && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IdxArray[ubyte " + Idx.formatShape(shape) + "]";
    }
}
