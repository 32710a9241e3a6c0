package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A lookup table of {@code num} vectors of size {@code dim}: token ids {@code [...]} (integer values in a float
 * tensor) become {@code [..., dim]}. PyTorch's {@code nn.Embedding}: weights N(0, 1), and the row of
 * {@code paddingIdx} (if ≥ 0) starts at zero and gets no gradient.
 */
public final class Embedding extends Module {
    private final int num;
    private final int dim;
    private final int paddingIdx;
    private final Tensor weight;

    /** A table with PyTorch's initialisation; {@code paddingIdx} −1 for none. */
    public Embedding(int num, int dim, int paddingIdx, Generator generator) {
        if (num <= 0 || dim <= 0 || paddingIdx < -1 || paddingIdx >= num) {
            throw new IllegalArgumentException("Embedding: num " + num + " and dim " + dim
                    + " must be positive and paddingIdx " + paddingIdx + " in [-1, " + num + ")");
        }
        this.num = num;
        this.dim = dim;
        this.paddingIdx = paddingIdx;
        Tensor w = Tensor.normal(generator, 0, 1, num, dim);
        if (paddingIdx >= 0) {
            w.narrow(0, paddingIdx, 1).fill(0);
        }
        weight = registerParameter("weight", w);
    }

    static Embedding fromConfig(LayerConfig c) {
        return new Embedding(c.getInt("num"), c.getInt("dim"), c.getInt("padding_idx", -1), new Generator(0));
    }

    @Override
    public int[] build(int[] inputShape, Generator generator) {
        int[] out = new int[inputShape.length + 1];
        System.arraycopy(inputShape, 0, out, 0, inputShape.length);
        out[inputShape.length] = dim;
        return out;
    }

    @Override
    public Tensor forward(Tensor ids) {
        return lookup(ids, weight);
    }

    /** The rows of {@code table} at {@code ids}; the padding rows are taken detached, so they get no gradient. */
    public Tensor lookup(Tensor ids, Tensor table) {
        double[] values = ids.toDoubleArray();
        int[] index = new int[values.length];
        boolean anyPadding = false;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v != Math.rint(v) || v < 0 || v >= num) {
                throw new IllegalArgumentException(this + ": id " + v + " at position " + i + " of input "
                        + Shapes.str(ids.shape()) + " is not an integer in [0, " + num + ")");
            }
            index[i] = (int) v;
            anyPadding |= index[i] == paddingIdx;
        }
        Tensor rows = table.indexSelect(0, index);
        if (anyPadding) {
            Tensor real = ids.reshape(values.length, 1).ne(Tensor.full(ids.dtype(), paddingIdx, 1, 1));
            rows = Tensor.where(real, rows, rows.detach());
        }
        int[] shape = new int[ids.dim() + 1];
        System.arraycopy(ids.shape(), 0, shape, 0, ids.dim());
        shape[ids.dim()] = dim;
        return rows.reshape(shape);
    }

    /** The table, {@code [num, dim]}. */
    public Tensor weight() {
        return weight;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("num", num);
        config.put("dim", dim);
        if (paddingIdx >= 0) {
            config.put("padding_idx", paddingIdx);
        }
        return config;
    }

    @Override
    protected String describe() {
        return "num=" + num + ", dim=" + dim + (paddingIdx >= 0 ? ", paddingIdx=" + paddingIdx : "");
    }
}
