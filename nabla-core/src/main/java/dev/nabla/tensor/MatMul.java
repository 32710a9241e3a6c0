package dev.nabla.tensor;

import dev.nabla.kernel.Gemm;
import dev.nabla.kernel.Strided;

/**
 * Forward of the batched matrix product: broadcasts the batch dimensions, and hands each matrix pair to the GEMM
 * kernel, reading transposed views in place through its transpose flags instead of copying them.
 */
final class MatMul {
    private MatMul() {}

    /** How the GEMM kernel reads one operand: transposed or not, with a leading dimension; or null if it can't. */
    private record Layout(boolean trans, int ld) {}

    private static Layout layout(int rows, int cols, int rowStride, int colStride) {
        if ((colStride == 1 || cols <= 1) && (rowStride >= Math.max(cols, 1) || rows <= 1)) {
            return new Layout(false, Math.max(rows <= 1 ? cols : rowStride, Math.max(cols, 1)));
        }
        if ((rowStride == 1 || rows <= 1) && (colStride >= Math.max(rows, 1) || cols <= 1)) {
            return new Layout(true, Math.max(cols <= 1 ? rows : colStride, Math.max(rows, 1)));
        }
        return null;
    }

    static Tensor forward(Tensor a, Tensor b) {
        return forward(a, b, null);
    }

    /**
     * The product written into {@code into} (overwritten, whatever it held) when that is a contiguous tensor of the
     * product's shape and dtype that owns its array; else into a new tensor.
     */
    static Tensor forward(Tensor a, Tensor b, Tensor into) {
        return forward(a, b, into, null);
    }

    /**
     * The product, with {@code epilogue} (a bias per column and an optional relu; float32 only, or null) applied by
     * the GEMM to each block of the result while it is in the cache.
     */
    static Tensor forward(Tensor a, Tensor b, Tensor into, dev.nabla.kernel.Epilogue epilogue) {
        int ra = a.shape.length;
        int rb = b.shape.length;
        int m = a.shape[ra - 2];
        int k = a.shape[ra - 1];
        int k2 = b.shape[rb - 2];
        int n = b.shape[rb - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: " + Shapes.str(a.shape) + " x " + Shapes.str(b.shape)
                    + ": inner dimensions " + k + " and " + k2 + " differ");
        }
        int[] batchA = java.util.Arrays.copyOf(a.shape, ra - 2);
        int[] batchB = java.util.Arrays.copyOf(b.shape, rb - 2);
        int[] batch = java.util.Arrays.equals(batchA, batchB) ? batchA // the message only when it fails
                : Shapes.broadcast("matmul (batch dimensions of " + Shapes.str(a.shape) + " x " + Shapes.str(b.shape)
                        + ")", batchA, batchB);
        int[] outShape = java.util.Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out = into != null && into.dtype == a.dtype && java.util.Arrays.equals(into.shape, outShape)
                && into.ownsArray() ? into : Tensor.empty(a.dtype, outShape);
        if (epilogue != null && a.f == null) {
            throw new IllegalArgumentException("matmul: a GEMM epilogue is float32 only, got " + a.dtype);
        }
        if (out.numel() == 0) {
            return out;
        }

        Layout la = layout(m, k, a.strides[ra - 2], a.strides[ra - 1]);
        if (la == null) {
            a = a.contiguousCopy();
            la = layout(m, k, a.strides[ra - 2], a.strides[ra - 1]);
        }
        Layout lb = layout(k, n, b.strides[rb - 2], b.strides[rb - 1]);
        if (lb == null) {
            b = b.contiguousCopy();
            lb = layout(k, n, b.strides[rb - 2], b.strides[rb - 1]);
        }
        int[] sa = batchStrides(a, batch);
        int[] sb = batchStrides(b, batch);
        int[] so = Shapes.contiguousStrides(batch);
        Tensor fa = a;
        Tensor fb = b;
        Layout fla = la;
        Layout flb = lb;
        int mn = m * n;
        // One GEMM per batch element: make the batch the "row" walked by Strided with a unit inner dimension.
        int[] walk = java.util.Arrays.copyOf(batch, batch.length + 1);
        walk[batch.length] = 1;
        int[][] strides = {append(sa), append(sb), append(so)};
        Strided.rows(walk, new int[] {a.offset, b.offset, 0}, strides, (o, in, len) -> {
            int cOff = in[2] * mn;
            if (fa.f != null) {
                Gemm.sgemm(fla.trans, flb.trans, m, n, k, 1f, fa.f, in[0], fla.ld, fb.f, in[1], flb.ld, 0f, out.f,
                        cOff, n, epilogue);
            } else {
                Gemm.dgemm(fla.trans, flb.trans, m, n, k, 1.0, fa.d, in[0], fla.ld, fb.d, in[1], flb.ld, 0.0, out.d,
                        cOff, n);
            }
        });
        return out;
    }

    /**
     * {@code dst += a·b} for matrices, into {@code dst}'s own contiguous storage (a GEMM with beta 1): a product
     * summed where it is needed instead of allocated and then added. Returns false, changing nothing, when dst does
     * not own contiguous storage of the product's shape.
     */
    static boolean addProduct(Tensor dst, Tensor a, Tensor b) {
        if (a.dim() != 2 || b.dim() != 2 || dst.dim() != 2 || b.shape[0] != a.shape[1] || dst.shape[0] != a.shape[0]
                || dst.shape[1] != b.shape[1] || !dst.ownsArray() || a.dtype != dst.dtype || b.dtype != dst.dtype) {
            return false;
        }
        int m = a.shape[0];
        int k = a.shape[1];
        int n = b.shape[1];
        Layout la = layout(m, k, a.strides[0], a.strides[1]);
        if (la == null) {
            a = a.contiguousCopy();
            la = layout(m, k, a.strides[0], a.strides[1]);
        }
        Layout lb = layout(k, n, b.strides[0], b.strides[1]);
        if (lb == null) {
            b = b.contiguousCopy();
            lb = layout(k, n, b.strides[0], b.strides[1]);
        }
        if (dst.f != null) {
            Gemm.sgemm(la.trans, lb.trans, m, n, k, 1f, a.f, a.offset, la.ld, b.f, b.offset, lb.ld, 1f, dst.f, 0, n);
        } else {
            Gemm.dgemm(la.trans, lb.trans, m, n, k, 1.0, a.d, a.offset, la.ld, b.d, b.offset, lb.ld, 1.0, dst.d, 0, n);
        }
        return true;
    }

    private static int[] append(int[] s) {
        return java.util.Arrays.copyOf(s, s.length + 1);
    }

    /** The strides of {@code t}'s batch dimensions when broadcast to {@code batch} (0 where broadcast). */
    private static int[] batchStrides(Tensor t, int[] batch) {
        int own = t.shape.length - 2;
        int[] s = new int[batch.length];
        int lead = batch.length - own;
        for (int i = 0; i < own; i++) {
            s[lead + i] = t.shape[i] == 1 && batch[lead + i] != 1 ? 0 : t.strides[i];
        }
        return s;
    }
}
