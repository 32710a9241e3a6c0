package dev.nabla.tensor;

import dev.nabla.autograd.GradMode;

/**
 * The derivative rule of every primitive, in one place: given the upstream gradient {@code g} of an op's output,
 * the gradient of each input (its vector–Jacobian product).
 *
 * <p>Rules are written with {@link Tensor} ops, so with {@code createGraph} the backward pass is itself recorded
 * and can be differentiated again. A rule may return a gradient in the broadcast (output) shape: the engine sums
 * it back to the input's shape, once, in {@link Autograd#sumTo}. The switch is exhaustive: a new {@link Prim}
 * without a rule does not compile.
 */
final class Derivatives {
    private Derivatives() {}

    static Tensor[] vjp(Node n, Tensor out, Tensor g, boolean[] needs) {
        Tensor[] in = n.inputs;
        Tensor a = in[0];
        Tensor b = in.length > 1 ? in[1] : null;
        return switch (n.op) {
            case NEG -> one(g.neg());
            case EXP -> one(g.mul(out));
            case LOG -> one(g.div(a));
            case SQRT -> one(g.div(out.mul(2)));
            case ABS -> one(g.mul(a.sign()));
            case RELU -> one(reluGrad(g, a));
            case SIGMOID -> one(g.mul(out).mul(out.rsub(1)));
            case TANH -> one(g.mul(out.square().rsub(1)));
            case ADD -> two(g, g);
            case SUB -> two(g, needs[1] ? g.neg() : null);
            case MUL -> two(needs[0] ? g.mul(b) : null, needs[1] ? g.mul(a) : null);
            case DIV -> two(needs[0] ? g.div(b) : null, needs[1] ? g.mul(out).div(b).neg() : null);
            case POW -> two(needs[0] ? g.mul(b).mul(a.pow(b.sub(1))) : null, needs[1] ? g.mul(out).mul(a.log()) : null);
            case MAXIMUM -> split(g, a.gt(b).add(a.eq(b).mul(0.5)));
            case MINIMUM -> split(g, a.lt(b).add(a.eq(b).mul(0.5)));
            case WHERE -> split(g, n.aux);
            case SUM -> one(keepDims(g, a, n.ints).expand(a.shape));
            case MAX -> {
                int[] dims = dims(n.ints);
                Tensor peak = a.eq(keepDims(out, a, n.ints));
                yield one(peak.mul(keepDims(g, a, n.ints)).div(peak.sum(dims, true)));
            }
            case RESHAPE -> one(g.reshape(a.shape));
            case PERMUTE -> {
                int[] inverse = new int[n.ints.length];
                for (int i = 0; i < inverse.length; i++) {
                    inverse[n.ints[i]] = i;
                }
                yield one(g.permute(inverse));
            }
            case EXPAND -> one(g);
            case NARROW -> one(g.pad(n.ints[0], n.ints[1], n.ints[3] - n.ints[1] - n.ints[2]));
            case PAD -> one(g.narrow(n.ints[0], n.ints[1], n.ints[2]));
            case CONCAT -> {
                Tensor[] parts = new Tensor[in.length];
                for (int i = 0, at = 0; i < in.length; at += n.ints[i + 1], i++) {
                    parts[i] = needs[i] ? g.narrow(n.ints[0], at, n.ints[i + 1]) : null;
                }
                yield parts;
            }
            case INDEX_SELECT -> one(a.zerosLike().indexAdd(n.ints[0], indices(n.ints), g));
            case INDEX_ADD -> two(g, needs[1] ? g.indexSelect(n.ints[0], indices(n.ints)) : null);
            case GATHER -> one(a.zerosLike().scatterAdd(n.ints[0], n.aux, g));
            case SCATTER_ADD -> two(g, needs[1] ? g.gather(n.ints[0], n.aux) : null);
            case MATMUL -> two(needs[0] ? g.matmul(b.mT()) : null, needs[1] ? a.mT().matmul(g) : null);
            case LINEAR -> {
                Tensor g2 = g.dim() == 1 ? g.unsqueeze(0) : g.flatten(0, -2);
                Tensor x2 = a.dim() == 1 ? a.unsqueeze(0) : a.flatten(0, -2);
                yield new Tensor[] {needs[0] ? g.matmul(b) : null, needs[1] ? weightGrad(b, g2, x2) : null,
                    in.length > 2 && needs[2] ? g2.sum(0, false) : null};
            }
            case LOG_SOFTMAX -> one(g.sub(out.exp().mul(g.sum(n.ints[0], true))));
            case CAST -> one(g.to(a.dtype));
            case CONV2D -> {
                Tensor gz = n.ints[7] == 1 ? reluGrad(g, out) : g; // a relu fused into the op: its mask from out
                yield new Tensor[] {
                    needs[0] ? Conv.inputGrad(gz, b, a.shape[2], a.shape[3], n.ints) : null,
                    needs[1] ? Conv.weightGrad(a, gz, b.shape[2], b.shape[3], n.ints) : null,
                    in.length > 2 && needs[2] ? gz.sum(new int[] {0, 2, 3}, false) : null};
            }
            // a = the conv's output gradient, b = its weight; out has the conv's input shape
            case CONV2D_INPUT_GRAD -> two(needs[0] ? Conv.conv2d(g, b, null, Conv.stride(n.ints), Conv.padding(n.ints), Conv.dilation(n.ints),
                    n.ints[6]) : null, needs[1] ? Conv.weightGrad(g, a, b.shape[2], b.shape[3], n.ints) : null);
            // a = the conv's input, b = its output gradient; out has the weight's shape
            case CONV2D_WEIGHT_GRAD -> two(needs[0] ? Conv.inputGrad(b, g, a.shape[2], a.shape[3], n.ints) : null,
                    needs[1] ? Conv.conv2d(a, g, null, Conv.stride(n.ints), Conv.padding(n.ints), Conv.dilation(n.ints), n.ints[6]) : null);
            case MAX_POOL2D -> one(Conv.maxPoolBackward(g, a, n.aux));
        };
    }

    /**
     * A linear layer's weight gradient gᵀ·x, written straight into the weight's recycled gradient buffer when it has
     * one (see {@link Tensor#recycleGrad}) and no graph is being recorded: no allocation, no zeroing, a warm cache.
     */
    private static Tensor weightGrad(Tensor weight, Tensor g2, Tensor x2) {
        Tensor into = GradMode.isEnabled() ? null : weight.takeSpareGrad();
        return MatMul.forward(g2.mT(), x2, into);
    }

    /** g where x &gt; 0, else 0: relu's rule, given relu's input or output (both are positive at the same places). */
    private static Tensor reluGrad(Tensor g, Tensor x) {
        return GradMode.isEnabled() ? g.mul(x.gt(0)) : Elementwise.reluBackward(g, x);
    }

    private static Tensor[] one(Tensor g) {
        return new Tensor[] {g};
    }

    private static Tensor[] two(Tensor ga, Tensor gb) {
        return new Tensor[] {ga, gb};
    }

    /** Routes g to the first input where {@code mask} is 1 and to the second where it is 0 (fractions split). */
    private static Tensor[] split(Tensor g, Tensor mask) {
        return two(g.mul(mask), g.mul(mask.rsub(1)));
    }

    /** A reduced tensor reshaped so its reduced dimensions are back as size 1, ready to broadcast against the input. */
    private static Tensor keepDims(Tensor reduced, Tensor input, int[] ints) {
        return ints[0] == 1 ? reduced : reduced.reshape(Reduce.reducedShape(input.shape, Reduce.mask(ints), true));
    }

    private static int[] dims(int[] ints) {
        boolean[] mask = Reduce.mask(ints);
        return java.util.stream.IntStream.range(0, mask.length).filter(i -> mask[i]).toArray();
    }

    private static int[] indices(int[] ints) {
        return java.util.Arrays.copyOfRange(ints, 1, ints.length);
    }
}
