package dev.nabla.tensor;

import dev.nabla.kernel.Fused;

/** Forward computation of the reductions: the reduced dimensions are moved last, then each row is folded. */
final class Reduce {
    private Reduce() {}

    /** How many elements a reduction over {@code dims} folds into each output (all dimensions when empty). */
    static int count(Tensor x, int[] dims) {
        boolean[] mask = Shapes.dimMask("reduce", dims, x.shape.length);
        int n = 1;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                n *= x.shape[i];
            }
        }
        return n;
    }

    static int[] reducedShape(int[] shape, boolean[] mask, boolean keepDim) {
        int kept = 0;
        for (boolean m : mask) {
            kept += m ? 0 : 1;
        }
        int[] out = new int[keepDim ? shape.length : kept];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (keepDim) {
                out[i] = mask[i] ? 1 : shape[i];
            } else if (!mask[i]) {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    /** The values with kept dimensions first and reduced dimensions last, contiguous. */
    private static Tensor arrange(Tensor x, boolean[] mask) {
        int rank = mask.length;
        int[] order = new int[rank];
        int k = 0;
        for (int i = 0; i < rank; i++) {
            if (!mask[i]) {
                order[k++] = i;
            }
        }
        for (int i = 0; i < rank; i++) {
            if (mask[i]) {
                order[k++] = i;
            }
        }
        int[] shape = new int[rank];
        int[] strides = new int[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = x.shape[order[i]];
            strides[i] = x.strides[order[i]];
        }
        return Tensor.contiguousOf(x.view(shape, strides, x.offset));
    }

    private static int[] encode(boolean[] mask, boolean keepDim) {
        int[] ints = new int[mask.length + 1];
        ints[0] = keepDim ? 1 : 0;
        for (int i = 0; i < mask.length; i++) {
            ints[i + 1] = mask[i] ? 1 : 0;
        }
        return ints;
    }

    static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        boolean[] mask = Shapes.dimMask("sum", dims, x.shape.length);
        Tensor out = Tensor.empty(x.dtype, reducedShape(x.shape, mask, keepDim));
        int outer = out.numel();
        int inner = count(x, dims);
        if (x.f != null && x.isContiguous() && isLeading(mask)) {
            Fused.sumRows(x.f, x.offset, inner, outer, out.f);
            return Tensor.record(out, Prim.SUM, new Tensor[] {x}, encode(mask, keepDim), 0, null);
        }
        int lead = keptFrom(mask);
        if (x.f != null && x.isContiguous() && lead > 0 && inner > 0) {
            int before = 1;
            for (int i = 0; i < lead; i++) {
                before *= x.shape[i];
            }
            Fused.sumOuterInner(x.f, x.offset, before, outer, inner / before, out.f);
            return Tensor.record(out, Prim.SUM, new Tensor[] {x}, encode(mask, keepDim), 0, null);
        }
        Tensor a = arrange(x, mask);
        for (int o = 0; o < outer; o++) {
            double acc = 0;
            int base = a.offset + o * inner;
            if (a.f != null) {
                for (int r = 0; r < inner; r++) {
                    acc += a.f[base + r];
                }
            } else {
                for (int r = 0; r < inner; r++) {
                    acc += a.d[base + r];
                }
            }
            out.setRaw(o, acc);
        }
        return Tensor.record(out, Prim.SUM, new Tensor[] {x}, encode(mask, keepDim), 0, null);
    }

    /** True when the reduced dimensions are exactly the leading ones (and at least one is kept): summing rows. */
    private static boolean isLeading(boolean[] mask) {
        int k = 0;
        while (k < mask.length && mask[k]) {
            k++;
        }
        for (int i = k; i < mask.length; i++) {
            if (mask[i]) {
                return false;
            }
        }
        return k > 0 && k < mask.length;
    }

    /**
     * The first kept dimension when the kept dimensions are one block with reduced ones on both sides (summing over
     * N, H and W of {@code [N, C, H, W]}, a convolution's bias gradient), else 0.
     */
    private static int keptFrom(boolean[] mask) {
        int k = 0;
        while (k < mask.length && mask[k]) {
            k++;
        }
        int end = k;
        while (end < mask.length && !mask[end]) {
            end++;
        }
        for (int i = end; i < mask.length; i++) {
            if (!mask[i]) {
                return 0;
            }
        }
        return k > 0 && end > k && end < mask.length ? k : 0;
    }

    static Tensor max(Tensor x, int[] dims, boolean keepDim) {
        boolean[] mask = Shapes.dimMask("max", dims, x.shape.length);
        int inner = count(x, dims);
        if (inner == 0) {
            throw new IllegalArgumentException("max: reduction over an empty dimension of shape " + Shapes.str(x.shape));
        }
        Tensor out = Tensor.empty(x.dtype, reducedShape(x.shape, mask, keepDim));
        Tensor a = arrange(x, mask);
        for (int o = 0, outer = out.numel(); o < outer; o++) {
            int base = a.offset + o * inner;
            double best = Double.NEGATIVE_INFINITY;
            for (int r = 0; r < inner; r++) {
                best = Math.max(best, a.getRaw(base + r));
            }
            out.setRaw(o, best);
        }
        return Tensor.record(out, Prim.MAX, new Tensor[] {x}, encode(mask, keepDim), 0, null);
    }

    static Tensor argmax(Tensor x, int dim, boolean keepDim) {
        boolean[] mask = Shapes.dimMask("argmax", new int[] {dim}, x.shape.length);
        int inner = x.shape[dim];
        if (inner == 0) {
            throw new IllegalArgumentException("argmax: dimension " + dim + " of shape " + Shapes.str(x.shape)
                    + " is empty");
        }
        Tensor out = Tensor.empty(x.dtype, reducedShape(x.shape, mask, keepDim));
        Tensor a = arrange(x, mask);
        for (int o = 0, outer = out.numel(); o < outer; o++) {
            int base = a.offset + o * inner;
            int best = 0;
            double bestValue = a.getRaw(base);
            for (int r = 1; r < inner; r++) {
                double v = a.getRaw(base + r);
                if (v > bestValue || (Double.isNaN(v) && !Double.isNaN(bestValue))) {
                    best = r;
                    bestValue = v;
                }
            }
            out.setRaw(o, best);
        }
        return out;
    }

    /** Decodes the reduced-dimension mask saved by {@link #sum} and {@link #max}. */
    static boolean[] mask(int[] ints) {
        boolean[] mask = new boolean[ints.length - 1];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = ints[i + 1] != 0;
        }
        return mask;
    }
}
