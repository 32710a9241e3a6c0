package dev.nabla.kernel;

/**
 * Walks an n-dimensional index space row by row, giving each row's start offset in every operand.
 *
 * <p>The element-wise ops share this one traversal: the caller writes only the inner loop over a row of the last
 * dimension, with each operand's stride along it (0 for a broadcast operand). Outputs are always contiguous.
 */
public final class Strided {
    private Strided() {}

    /** Receives one row: the output offset, the operands' offsets, and the row length. */
    @FunctionalInterface
    public interface Row {
        void row(int out, int[] in, int n);
    }

    /**
     * Calls {@code body} once per row of {@code shape} (once for a scalar), with operand offsets computed from
     * {@code offsets[i]} and {@code strides[i]}.
     */
    public static void rows(int[] shape, int[] offsets, int[][] strides, Row body) {
        int rank = shape.length;
        int operands = offsets.length;
        int[] pos = offsets.clone();
        if (rank == 0) {
            body.row(0, pos, 1);
            return;
        }
        int inner = shape[rank - 1];
        long total = 1;
        for (int d : shape) {
            total *= d;
        }
        if (total == 0) {
            return;
        }
        int outer = (int) (total / inner);
        int[] index = new int[rank];
        int[] rowPos = new int[operands];
        for (int r = 0; r < outer; r++) {
            System.arraycopy(pos, 0, rowPos, 0, operands);
            body.row(r * inner, rowPos, inner);
            for (int d = rank - 2; d >= 0; d--) {
                index[d]++;
                for (int k = 0; k < operands; k++) {
                    pos[k] += strides[k][d];
                }
                if (index[d] < shape[d]) {
                    break;
                }
                for (int k = 0; k < operands; k++) {
                    pos[k] -= strides[k][d] * shape[d];
                }
                index[d] = 0;
            }
        }
    }

    /** Copies a strided float view into a contiguous array. */
    public static void gather(float[] src, int offset, int[] strides, int[] shape, float[] dst) {
        int last = shape.length - 1;
        int s = last < 0 ? 0 : strides[last];
        rows(shape, new int[] {offset}, new int[][] {strides}, (o, in, n) -> {
            int p = in[0];
            if (s == 1) {
                System.arraycopy(src, p, dst, o, n);
            } else {
                for (int j = 0; j < n; j++, p += s) {
                    dst[o + j] = src[p];
                }
            }
        });
    }

    /** Copies a strided double view into a contiguous array. */
    public static void gather(double[] src, int offset, int[] strides, int[] shape, double[] dst) {
        int last = shape.length - 1;
        int s = last < 0 ? 0 : strides[last];
        rows(shape, new int[] {offset}, new int[][] {strides}, (o, in, n) -> {
            int p = in[0];
            if (s == 1) {
                System.arraycopy(src, p, dst, o, n);
            } else {
                for (int j = 0; j < n; j++, p += s) {
                    dst[o + j] = src[p];
                }
            }
        });
    }
}
