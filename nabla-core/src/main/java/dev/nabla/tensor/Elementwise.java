package dev.nabla.tensor;

import dev.nabla.kernel.Fused;
import dev.nabla.kernel.Strided;

/** Forward computation of the element-wise ops, with broadcasting, for both element types. */
final class Elementwise {
    private Elementwise() {}

    /** Comparisons and other element-wise functions that produce masks and take no gradient. */
    enum Cmp { EQ, NE, GT, GE, LT, LE, SIGN }

    /** Strides that read {@code t} as if it had {@code outShape}: 0 along broadcast dimensions. */
    static int[] broadcastStrides(Tensor t, int[] outShape) {
        int[] s = new int[outShape.length];
        int lead = outShape.length - t.shape.length;
        for (int i = 0; i < t.shape.length; i++) {
            s[lead + i] = t.shape[i] == 1 && outShape[lead + i] != 1 ? 0 : t.strides[i];
        }
        return s;
    }

    static Tensor unary(Prim op, Tensor x) {
        if (x.f != null && x.ownsArray()) {
            return Tensor.record(unaryFlat(op, x.f, x.shape), op, new Tensor[] {x}, null, 0, null);
        }
        Tensor out = Tensor.empty(x.dtype, x.shape.clone());
        int[][] strides = {x.strides};
        int s = x.shape.length == 0 ? 0 : x.strides[x.shape.length - 1];
        if (x.f != null) {
            float[] src = x.f;
            float[] dst = out.f;
            Strided.rows(x.shape, new int[] {x.offset}, strides, (o, in, n) -> {
                for (int j = 0, p = in[0]; j < n; j++, p += s) {
                    dst[o + j] = applyFloat(op, src[p]);
                }
            });
        } else {
            double[] src = x.d;
            double[] dst = out.d;
            Strided.rows(x.shape, new int[] {x.offset}, strides, (o, in, n) -> {
                for (int j = 0, p = in[0]; j < n; j++, p += s) {
                    dst[o + j] = apply(op, src[p]);
                }
            });
        }
        return Tensor.record(out, op, new Tensor[] {x}, null, 0, null);
    }

    /** A contiguous float32 operand as one flat loop, without the strided walk. */
    private static Tensor unaryFlat(Prim op, float[] x, int[] shape) {
        float[] z = new float[x.length];
        switch (op) {
            case RELU -> Fused.relu(x, z, x.length);
            case EXP -> Fused.exp(x, 0, z, 0, x.length);
            case SIGMOID -> Fused.sigmoid(x, 0, z, 0, x.length);
            case TANH -> Fused.tanh(x, 0, z, 0, x.length);
            default -> {
                for (int i = 0; i < z.length; i++) {
                    z[i] = (float) apply(op, x[i]);
                }
            }
        }
        return new Tensor(z, shape.clone());
    }

    /** Applies relu to a fresh contiguous tensor in place, element by element as {@link Tensor#relu} computes it. */
    static void reluInPlace(Tensor t) {
        if (t.f != null) {
            Fused.relu(t.f, t.f, t.f.length);
        } else {
            for (int i = 0; i < t.d.length; i++) {
                t.d[i] = apply(Prim.RELU, t.d[i]);
            }
        }
    }

    /** g where x &gt; 0, else 0: relu's gradient without recording (backward without createGraph). */
    static Tensor reluBackward(Tensor g, Tensor x) {
        if (g.f != null && g.ownsArray() && x.ownsArray() && java.util.Arrays.equals(g.shape, x.shape)) {
            float[] z = new float[g.f.length];
            Fused.reluBackward(x.f, g.f, z, z.length);
            return new Tensor(z, g.shape.clone());
        }
        return g.mul(x.gt(0));
    }

    /** A unary op on a float32 element: exp, sigmoid and tanh in float32 ({@link Fused}), the rest via double. */
    private static float applyFloat(Prim op, float x) {
        return switch (op) {
            case EXP -> Fused.exp(x);
            case SIGMOID -> Fused.sigmoid(x);
            case TANH -> Fused.tanh(x);
            default -> (float) apply(op, x);
        };
    }

    /**
     * log softmax's gradient without recording, g − e^y·Σg along {@code dim}: rows of contiguous float32 in one fused
     * pass each, else with tensor ops.
     */
    static Tensor logSoftmaxBackward(Tensor g, Tensor y, int dim) {
        if (g.f != null && dim == g.shape.length - 1 && g.isContiguous() && y.isContiguous()
                && java.util.Arrays.equals(g.shape, y.shape)) {
            float[] dx = new float[g.numel()];
            int cols = g.shape[dim];
            Fused.logSoftmaxBackwardRows(g.f, g.offset, y.f, y.offset, cols == 0 ? 0 : dx.length / cols, cols, dx);
            return new Tensor(dx, g.shape.clone());
        }
        return g.sub(y.exp().mul(g.sum(dim, true)));
    }

    static double apply(Prim op, double x) {
        switch (op) {
            case NEG:
                return -x;
            case EXP:
                return Math.exp(x);
            case LOG:
                return Math.log(x);
            case SQRT:
                return Math.sqrt(x);
            case ABS:
                return Math.abs(x);
            case RELU:
                return x > 0 || x != x ? x : 0; // NaN stays NaN, as in the float32 kernels and PyTorch
            case SIGMOID:
                return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
            case TANH:
                return Math.tanh(x);
            default:
                throw new IllegalStateException("not a unary op: " + op);
        }
    }

    private static double apply(Prim op, double a, double b) {
        switch (op) {
            case ADD:
                return a + b;
            case SUB:
                return a - b;
            case MUL:
                return a * b;
            case DIV:
                return a / b;
            case POW:
                return Math.pow(a, b);
            case MAXIMUM:
                return Math.max(a, b);
            case MINIMUM:
                return Math.min(a, b);
            default:
                throw new IllegalStateException("not a binary op: " + op);
        }
    }

    private static double apply(Cmp op, double a, double b) {
        switch (op) {
            case EQ:
                return a == b ? 1 : 0;
            case NE:
                return a != b ? 1 : 0;
            case GT:
                return a > b ? 1 : 0;
            case GE:
                return a >= b ? 1 : 0;
            case LT:
                return a < b ? 1 : 0;
            case LE:
                return a <= b ? 1 : 0;
            case SIGN:
                return Math.signum(a);
            default:
                throw new IllegalStateException("unknown comparison " + op);
        }
    }

    /** The 2-operand loop; {@code fn} is applied in double precision and rounded once for float32. */
    private interface Fn2 {
        double apply(double a, double b);
    }

    private static Tensor zip(String opName, Tensor a, Tensor b, Fn2 fn) {
        Tensor.checkSameDtype(opName, a, b);
        int[] outShape = Shapes.broadcast(opName, a.shape, b.shape);
        Tensor out = Tensor.empty(a.dtype, outShape);
        int[] sa = broadcastStrides(a, outShape);
        int[] sb = broadcastStrides(b, outShape);
        int last = outShape.length - 1;
        int ia = last < 0 ? 0 : sa[last];
        int ib = last < 0 ? 0 : sb[last];
        int[][] strides = {sa, sb};
        int[] offsets = {a.offset, b.offset};
        if (a.f != null) {
            float[] x = a.f;
            float[] y = b.f;
            float[] z = out.f;
            Strided.rows(outShape, offsets, strides, (o, in, n) -> {
                for (int j = 0, p = in[0], q = in[1]; j < n; j++, p += ia, q += ib) {
                    z[o + j] = (float) fn.apply(x[p], y[q]);
                }
            });
        } else {
            double[] x = a.d;
            double[] y = b.d;
            double[] z = out.d;
            Strided.rows(outShape, offsets, strides, (o, in, n) -> {
                for (int j = 0, p = in[0], q = in[1]; j < n; j++, p += ia, q += ib) {
                    z[o + j] = fn.apply(x[p], y[q]);
                }
            });
        }
        return out;
    }

    /**
     * {@link #zip} for float32 +, −, ×, ÷: the same walk, with one loop per op instead of a call per element (the
     * float result equals the double one rounded, for these four ops).
     */
    private static Tensor zipArithmetic(Prim op, Tensor a, Tensor b) {
        String opName = op.name().toLowerCase();
        int[] outShape = Shapes.broadcast(opName, a.shape, b.shape);
        Tensor out = Tensor.empty(a.dtype, outShape);
        int[] sa = broadcastStrides(a, outShape);
        int[] sb = broadcastStrides(b, outShape);
        int last = outShape.length - 1;
        int ia = last < 0 ? 0 : sa[last];
        int ib = last < 0 ? 0 : sb[last];
        float[] x = a.f;
        float[] y = b.f;
        float[] z = out.f;
        Strided.rows(outShape, new int[] {a.offset, b.offset}, new int[][] {sa, sb},
                (o, in, n) -> arithmetic(op, x, in[0], ia, y, in[1], ib, z, o, n));
        return out;
    }

    static Tensor binary(Prim op, Tensor a, Tensor b) {
        Tensor out = fastSameShape(op, a, b);
        if (out == null && a.f != null && b.f != null && isArithmetic(op)) {
            out = zipArithmetic(op, a, b);
        }
        if (out == null) {
            out = zip(op.name().toLowerCase(), a, b, (x, y) -> apply(op, x, y));
        }
        return Tensor.record(out, op, new Tensor[] {a, b}, null, 0, null);
    }

    /**
     * The common cases on contiguous float32 operands, as tight loops: equal shapes, a matrix and a row broadcast
     * over it (adding a bias), and a scalar on either side. Null when none applies.
     */
    private static Tensor fastSameShape(Prim op, Tensor a, Tensor b) {
        if (a.f == null || b.f == null || !a.ownsArray() || !b.ownsArray()) {
            return null;
        }
        if (!java.util.Arrays.equals(a.shape, b.shape)) {
            return fastBroadcast(op, a, b);
        }
        float[] x = a.f;
        float[] y = b.f;
        float[] z = new float[x.length];
        switch (op) {
            case ADD:
                for (int i = 0; i < z.length; i++) {
                    z[i] = x[i] + y[i];
                }
                break;
            case SUB:
                for (int i = 0; i < z.length; i++) {
                    z[i] = x[i] - y[i];
                }
                break;
            case MUL:
                for (int i = 0; i < z.length; i++) {
                    z[i] = x[i] * y[i];
                }
                break;
            case DIV:
                for (int i = 0; i < z.length; i++) {
                    z[i] = x[i] / y[i];
                }
                break;
            default:
                return null;
        }
        return new Tensor(z, a.shape.clone());
    }

    private static Tensor fastBroadcast(Prim op, Tensor a, Tensor b) {
        int na = a.f.length;
        int nb = b.f.length;
        if (nb == 1 && b.shape.length <= a.shape.length) {
            float y = b.f[0];
            float[] x = a.f;
            float[] z = new float[na];
            for (int i = 0; i < na; i++) {
                z[i] = (float) apply(op, x[i], y);
            }
            return new Tensor(z, a.shape.clone());
        }
        if (na == 1 && a.shape.length <= b.shape.length) {
            float x = a.f[0];
            float[] y = b.f;
            float[] z = new float[nb];
            for (int i = 0; i < nb; i++) {
                z[i] = (float) apply(op, x, y[i]);
            }
            return new Tensor(z, b.shape.clone());
        }
        if (op == Prim.ADD && nb > 0 && isSuffix(b.shape, a.shape)) {
            float[] z = new float[na];
            Fused.addRow(a.f, b.f, z, na / nb, nb);
            return new Tensor(z, a.shape.clone());
        }
        if (nb > 0 && isSuffix(b.shape, a.shape) && isArithmetic(op)) {
            // a row tiling a: [N, C] op [C] (a bias, a LayerNorm scale)
            float[] z = new float[na];
            for (int r = 0; r < na; r += nb) {
                arithmetic(op, a.f, r, 1, b.f, 0, 1, z, r, nb);
            }
            return new Tensor(z, a.shape.clone());
        }
        int inner = columnInner(b.shape, a.shape);
        if (inner > 0 && isArithmetic(op)) {
            // one value per row of a: [N, C] op [N, 1] (softmax's max and sum, a norm's mean)
            float[] z = new float[na];
            for (int r = 0, row = 0; r < na; r += inner, row++) {
                arithmetic(op, a.f, r, 1, b.f, row, 0, z, r, inner);
            }
            return new Tensor(z, a.shape.clone());
        }
        return null;
    }

    private static boolean isArithmetic(Prim op) {
        return op == Prim.ADD || op == Prim.SUB || op == Prim.MUL || op == Prim.DIV;
    }

    /**
     * When {@code b} is {@code a}'s shape with some trailing dimensions (at least one, not all) set to 1, the number
     * of elements of a per element of b; else 0.
     */
    private static int columnInner(int[] b, int[] a) {
        if (a.length != b.length || a.length < 2) {
            return 0;
        }
        int k = a.length;
        while (k > 0 && b[k - 1] == 1) {
            k--;
        }
        if (k == a.length || k == 0) {
            return 0;
        }
        int inner = 1;
        for (int i = 0; i < a.length; i++) {
            if (i < k && b[i] != a[i]) {
                return 0;
            }
            if (i >= k) {
                inner *= a[i];
            }
        }
        return inner;
    }

    /** z[zo + j] = x[xo + j·xs] op y[yo + j·ys] for j below n, one loop per op. */
    private static void arithmetic(Prim op, float[] x, int xo, int xs, float[] y, int yo, int ys, float[] z, int zo,
            int n) {
        switch (op) {
            case ADD -> {
                for (int j = 0; j < n; j++) {
                    z[zo + j] = x[xo + j * xs] + y[yo + j * ys];
                }
            }
            case SUB -> {
                for (int j = 0; j < n; j++) {
                    z[zo + j] = x[xo + j * xs] - y[yo + j * ys];
                }
            }
            case MUL -> {
                for (int j = 0; j < n; j++) {
                    z[zo + j] = x[xo + j * xs] * y[yo + j * ys];
                }
            }
            case DIV -> {
                for (int j = 0; j < n; j++) {
                    z[zo + j] = x[xo + j * xs] / y[yo + j * ys];
                }
            }
            default -> throw new IllegalStateException(op + " is not arithmetic");
        }
    }

    /** True when {@code inner}, without leading 1s, is a trailing part of {@code outer}: a row that tiles it. */
    private static boolean isSuffix(int[] inner, int[] outer) {
        int lead = 0;
        while (lead < inner.length && inner[lead] == 1) {
            lead++;
        }
        int len = inner.length - lead;
        if (len == 0 || len > outer.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (inner[lead + i] != outer[outer.length - len + i]) {
                return false;
            }
        }
        return inner.length <= outer.length;
    }

    static Tensor compare(Cmp op, Tensor a, Tensor b) {
        if (a.f != null && b.f != null && b.f.length == 1 && b.ownsArray() && a.ownsArray()
                && b.shape.length <= a.shape.length) {
            float y = b.f[0];
            float[] x = a.f;
            float[] z = new float[x.length];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) apply(op, x[i], y);
            }
            return new Tensor(z, a.shape.clone());
        }
        return zip(op.name().toLowerCase(), a, b, (x, y) -> apply(op, x, y));
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Tensor.checkSameDtype("where", a, b);
        int[] outShape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape, a.shape), b.shape);
        Tensor mask = Tensor.empty(a.dtype, outShape);
        Tensor out = Tensor.empty(a.dtype, outShape);
        int[][] strides = {broadcastStrides(cond, outShape), broadcastStrides(a, outShape), broadcastStrides(b, outShape)};
        int last = outShape.length - 1;
        int ic = last < 0 ? 0 : strides[0][last];
        int ia = last < 0 ? 0 : strides[1][last];
        int ib = last < 0 ? 0 : strides[2][last];
        Strided.rows(outShape, new int[] {cond.offset, a.offset, b.offset}, strides, (o, in, n) -> {
            for (int j = 0, c = in[0], p = in[1], q = in[2]; j < n; j++, c += ic, p += ia, q += ib) {
                boolean pick = cond.getRaw(c) != 0;
                mask.setRaw(o + j, pick ? 1 : 0);
                out.setRaw(o + j, pick ? a.getRaw(p) : b.getRaw(q));
            }
        });
        return Tensor.record(out, Prim.WHERE, new Tensor[] {a, b}, null, 0, mask);
    }

    /** dst += alpha · src in place, src broadcast to dst's shape; dst may be a strided view. */
    static void accumulate(Tensor dst, Tensor src, double alpha) {
        update(dst, src, alpha, true);
    }

    /** dst = src in place, src broadcast to dst's shape; dst may be a strided view. */
    static void assign(Tensor dst, Tensor src) {
        update(dst, src, 1, false);
    }

    private static void update(Tensor dst, Tensor src, double alpha, boolean add) {
        Tensor.checkSameDtype(add ? "addInPlace" : "assign", dst, src);
        int[] outShape = Shapes.broadcast(add ? "addInPlace" : "assign", dst.shape, src.shape);
        if (!java.util.Arrays.equals(outShape, dst.shape)) {
            throw new IllegalArgumentException((add ? "addInPlace" : "assign") + ": source shape "
                    + Shapes.str(src.shape) + " does not broadcast to destination shape " + Shapes.str(dst.shape));
        }
        if (dst.f != null && dst.isContiguous() && src.isContiguous() && java.util.Arrays.equals(dst.shape, src.shape)) {
            int n = dst.numel();
            if (!add) {
                System.arraycopy(src.f, src.offset, dst.f, dst.offset, n);
            } else if (alpha == 1) {
                Fused.accumulate(dst.f, dst.offset, src.f, src.offset, n);
            } else {
                float a = (float) alpha;
                for (int i = 0, p = dst.offset, q = src.offset; i < n; i++) {
                    dst.f[p + i] += a * src.f[q + i];
                }
            }
            return;
        }
        int[] sd = dst.strides;
        int[] ss = broadcastStrides(src, outShape);
        int last = outShape.length - 1;
        int id = last < 0 ? 0 : sd[last];
        int is = last < 0 ? 0 : ss[last];
        int[][] strides = {sd, ss};
        int[] offsets = {dst.offset, src.offset};
        if (dst.f != null) {
            float[] z = dst.f;
            float[] x = src.f;
            float a = (float) alpha;
            if (id == 1 && is == 1 && (!add || alpha == 1)) {
                // rows of unit stride: a gradient added into a slice of a larger one, or copied into it
                Strided.rows(outShape, offsets, strides, (o, in, n) -> {
                    if (add) {
                        Fused.accumulate(z, in[0], x, in[1], n);
                    } else {
                        System.arraycopy(x, in[1], z, in[0], n);
                    }
                });
                return;
            }
            Strided.rows(outShape, offsets, strides, (o, in, n) -> {
                for (int j = 0, p = in[0], q = in[1]; j < n; j++, p += id, q += is) {
                    z[p] = add ? z[p] + a * x[q] : x[q];
                }
            });
        } else {
            double[] z = dst.d;
            double[] x = src.d;
            Strided.rows(outShape, offsets, strides, (o, in, n) -> {
                for (int j = 0, p = in[0], q = in[1]; j < n; j++, p += id, q += is) {
                    z[p] = add ? z[p] + alpha * x[q] : x[q];
                }
            });
        }
    }
}
