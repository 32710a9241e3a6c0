package dev.nabla.tensor;

/**
 * The readable text of a tensor, as PyTorch prints it: nested brackets, four decimals (or scientific notation for
 * very large or small values), the middle of long dimensions elided, then shape, dtype and gradient function.
 */
final class Format {
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;

    private Format() {}

    static String format(Tensor t) {
        Tensor c = Tensor.contiguousOf(t);
        boolean abbreviate = t.numel() > THRESHOLD;
        boolean scientific = needsScientific(c);
        StringBuilder sb = new StringBuilder("tensor(");
        if (t.shape.length == 0) {
            sb.append(number(c.getRaw(c.offset), scientific));
        } else {
            appendDim(sb, c, 0, c.offset, abbreviate, scientific, "tensor(".length());
        }
        sb.append(", shape=").append(Shapes.str(t.shape)).append(", dtype=").append(t.dtype);
        if (t.node != null) {
            sb.append(", gradFn=").append(t.node.op);
        } else if (t.requiresGrad) {
            sb.append(", requiresGrad=true");
        }
        return sb.append(')').toString();
    }

    private static boolean needsScientific(Tensor c) {
        double maxAbs = 0;
        double minAbs = Double.POSITIVE_INFINITY;
        for (int i = 0, n = c.numel(); i < n; i++) {
            double v = Math.abs(c.getRaw(c.offset + i));
            if (Double.isFinite(v)) {
                maxAbs = Math.max(maxAbs, v);
                if (v != 0) {
                    minAbs = Math.min(minAbs, v);
                }
            }
        }
        return maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs != Double.POSITIVE_INFINITY);
    }

    private static String number(double v, boolean scientific) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return scientific ? String.format(java.util.Locale.ROOT, "%.4e", v)
                : String.format(java.util.Locale.ROOT, "%.4f", v);
    }

    private static void appendDim(StringBuilder sb, Tensor c, int dim, int base, boolean abbreviate,
            boolean scientific, int indent) {
        int size = c.shape[dim];
        int stride = c.strides[dim];
        boolean last = dim == c.shape.length - 1;
        sb.append('[');
        for (int i = 0; i < size; i++) {
            if (abbreviate && size > 2 * EDGE && i == EDGE) {
                sb.append(last ? "..., " : "...,\n" + " ".repeat(indent + dim + 1));
                i = size - EDGE - 1;
                continue;
            }
            if (last) {
                sb.append(number(c.getRaw(base + i * stride), scientific));
            } else {
                appendDim(sb, c, dim + 1, base + i * stride, abbreviate, scientific, indent);
            }
            if (i < size - 1) {
                sb.append(last ? ", " : ",\n" + " ".repeat(indent + dim + 1));
            }
        }
        sb.append(']');
    }
}
