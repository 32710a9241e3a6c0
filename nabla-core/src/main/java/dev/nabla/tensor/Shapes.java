package dev.nabla.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by the ops: sizes, strides, broadcasting and dimension checks. */
public final class Shapes {
    private Shapes() {}

    /** Number of elements of a shape (1 for a scalar); fails when it does not fit in an int. */
    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
            }
        }
        return (int) n;
    }

    /** Row-major (C order) strides of a shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** Checks that a user-supplied shape has no negative size. */
    public static int[] validate(String op, int[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException(op + ": shape is null");
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": negative size in shape " + str(shape));
            }
        }
        size(shape);
        return shape.clone();
    }

    /** The NumPy broadcast of two shapes, or an error naming the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast (dimension " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Normalises a possibly negative dimension index, or fails naming the op, the dimension and the rank. */
    public static int dim(String op, int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IllegalArgumentException(op + ": dimension " + dim + " is out of range for a tensor of rank "
                    + rank + " (valid: " + (-Math.max(rank, 1)) + ".." + (Math.max(rank, 1) - 1) + ")");
        }
        return d;
    }

    /** Normalises and de-duplicates a list of dimensions; an empty list means all dimensions. */
    public static boolean[] dimMask(String op, int[] dims, int rank) {
        boolean[] mask = new boolean[rank];
        if (dims.length == 0) {
            Arrays.fill(mask, true);
            return mask;
        }
        for (int dim : dims) {
            int d = dim(op, dim, rank);
            if (mask[d]) {
                throw new IllegalArgumentException(op + ": dimension " + dim + " appears twice in " + Arrays.toString(dims));
            }
            mask[d] = true;
        }
        return mask;
    }

    /** The shape as PyTorch prints it: {@code [32, 784]}. */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
