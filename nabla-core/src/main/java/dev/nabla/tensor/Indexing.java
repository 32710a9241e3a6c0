package dev.nabla.tensor;

/** Forward of gather and scatter-add: positions along one dimension are taken from an index tensor. */
final class Indexing {
    private Indexing() {}

    /** Checks the index tensor against {@code x} and returns its values as ints. */
    private static int[] indices(String op, Tensor x, int dim, Tensor index) {
        if (index.shape.length != x.shape.length) {
            throw new IllegalArgumentException(op + ": index of shape " + Shapes.str(index.shape)
                    + " must have the same rank as the input " + Shapes.str(x.shape));
        }
        for (int d = 0; d < x.shape.length; d++) {
            if (d != dim && index.shape[d] > x.shape[d]) {
                throw new IllegalArgumentException(op + ": index shape " + Shapes.str(index.shape)
                        + " exceeds input shape " + Shapes.str(x.shape) + " in dimension " + d);
            }
        }
        double[] raw = index.toDoubleArray();
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            double v = raw[i];
            if (v != Math.rint(v) || v < 0 || v >= x.shape[dim]) {
                throw new IndexOutOfBoundsException(op + ": index value " + v + " at flat position " + i
                        + " is not an integer in [0, " + x.shape[dim] + ") for dimension " + dim + " of "
                        + Shapes.str(x.shape));
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** Walks every position of {@code shape}, giving the flat position and the offset in {@code t} with {@code dim} at 0. */
    private interface Visit {
        void at(int flat, int baseOffset);
    }

    private static void walk(int[] shape, Tensor t, int dim, Visit visit) {
        int rank = shape.length;
        int n = Shapes.size(shape);
        int[] idx = new int[rank];
        int base = t.offset;
        for (int flat = 0; flat < n; flat++) {
            visit.at(flat, base);
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                if (d != dim) {
                    base += t.strides[d];
                }
                if (idx[d] < shape[d]) {
                    break;
                }
                if (d != dim) {
                    base -= t.strides[d] * shape[d];
                }
                idx[d] = 0;
            }
        }
    }

    static Tensor gather(Tensor x, int dim, Tensor index) {
        int[] ix = indices("gather", x, dim, index);
        Tensor out = Tensor.empty(x.dtype, index.shape.clone());
        int stride = x.strides[dim];
        walk(index.shape, x, dim, (flat, base) -> out.setRaw(flat, x.getRaw(base + ix[flat] * stride)));
        return out;
    }

    static Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor source) {
        int[] ix = indices("scatterAdd", x, dim, index);
        if (!java.util.Arrays.equals(index.shape, source.shape)) {
            throw new IllegalArgumentException("scatterAdd: source shape " + Shapes.str(source.shape)
                    + " must equal index shape " + Shapes.str(index.shape));
        }
        Tensor out = x.contiguousCopy();
        Tensor src = Tensor.contiguousOf(source);
        int stride = out.strides[dim];
        walk(index.shape, out, dim, (flat, base) -> {
            int p = base + ix[flat] * stride;
            out.setRaw(p, out.getRaw(p) + src.getRaw(src.offset + flat));
        });
        return out;
    }
}
