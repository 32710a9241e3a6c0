package dev.nabla.tensor;

import dev.nabla.autograd.GradMode;

/**
 * The derivative rule of every primitive, in one place: given the upstream gradient {@code g} of an op's output,
 * the gradient of each input (its vector–Jacobian product).
 *
 * <p>Rules are written with {@link Tensor} ops, so with {@code createGraph} the backward pass is itself recorded
 * and can be differentiated again. A rule may return a gradient in the broadcast (output) shape: the engine sums
 * it back to the input's shape, once, in {@link Autograd#sumTo}. The switch in {@link #rule} is exhaustive: a new
 * {@link Prim} without a rule does not compile.
 */
final class Derivatives {
    private Derivatives() {}

    /**
     * A derivative rule: the gradient of each input of {@code n} (null where {@code needs} is false), given the
     * gradient {@code g} of its output {@code out}; {@code a} and {@code b} are its first two inputs (b null if none).
     */
    @FunctionalInterface
    private interface Rule {
        Tensor[] grads(Node n, Tensor a, Tensor b, Tensor out, Tensor g, boolean[] needs);
    }

    /**
     * The rule of each primitive, by ordinal. A table rather than one switch at the call for the JIT's sake: called
     * through it, each rule is its own small method that C2 compiles (or not) on its own, where one switch inlined
     * every rule it had seen into one method that C2 took half a second to compile, in the middle of a training run.
     */
    private static final Rule[] RULES = java.util.Arrays.stream(Prim.values()).map(Derivatives::rule)
            .toArray(Rule[]::new);

    static Tensor[] vjp(Node n, Tensor out, Tensor g, boolean[] needs) {
        Tensor[] in = n.inputs;
        return RULES[n.op.ordinal()].grads(n, in[0], in.length > 1 ? in[1] : null, out, g, needs);
    }

    private static Rule rule(Prim op) {
        return switch (op) {
            case NEG -> (n, a, b, out, g, needs) -> one(g.neg());
            case EXP -> (n, a, b, out, g, needs) -> one(g.mul(out));
            case LOG -> (n, a, b, out, g, needs) -> one(g.div(a));
            case SQRT -> (n, a, b, out, g, needs) -> one(g.div(out.mul(2)));
            case ABS -> (n, a, b, out, g, needs) -> one(g.mul(a.sign()));
            case RELU -> (n, a, b, out, g, needs) -> one(reluGrad(g, a));
            case SIGMOID -> (n, a, b, out, g, needs) -> one(g.mul(out).mul(out.rsub(1)));
            case TANH -> (n, a, b, out, g, needs) -> one(g.mul(out.square().rsub(1)));
            case ADD -> (n, a, b, out, g, needs) -> two(g, g);
            case SUB -> (n, a, b, out, g, needs) -> two(g, needs[1] ? g.neg() : null);
            case MUL -> (n, a, b, out, g, needs) -> two(needs[0] ? g.mul(b) : null, needs[1] ? g.mul(a) : null);
            case DIV -> (n, a, b, out, g, needs) ->
                    two(needs[0] ? g.div(b) : null, needs[1] ? g.mul(out).div(b).neg() : null);
            case POW -> (n, a, b, out, g, needs) -> two(needs[0] ? g.mul(b).mul(a.pow(b.sub(1))) : null,
                    needs[1] ? g.mul(out).mul(a.log()) : null);
            case MAXIMUM -> (n, a, b, out, g, needs) -> split(g, a.gt(b).add(a.eq(b).mul(0.5)));
            case MINIMUM -> (n, a, b, out, g, needs) -> split(g, a.lt(b).add(a.eq(b).mul(0.5)));
            case WHERE -> (n, a, b, out, g, needs) -> split(g, n.aux);
            case SUM -> (n, a, b, out, g, needs) -> one(keepDims(g, a, n.ints).expand(a.shape));
            case MAX -> Derivatives::max;
            case RESHAPE -> (n, a, b, out, g, needs) -> one(g.reshape(a.shape));
            case PERMUTE -> Derivatives::permute;
            case EXPAND -> (n, a, b, out, g, needs) -> one(g);
            case NARROW -> (n, a, b, out, g, needs) ->
                    one(g.pad(n.ints[0], n.ints[1], n.ints[3] - n.ints[1] - n.ints[2]));
            case PAD -> (n, a, b, out, g, needs) -> one(g.narrow(n.ints[0], n.ints[1], n.ints[2]));
            case CONCAT -> Derivatives::concat;
            case INDEX_SELECT -> (n, a, b, out, g, needs) ->
                    one(a.zerosLike().indexAdd(n.ints[0], indices(n.ints), g));
            case INDEX_ADD -> (n, a, b, out, g, needs) ->
                    two(g, needs[1] ? g.indexSelect(n.ints[0], indices(n.ints)) : null);
            case GATHER -> (n, a, b, out, g, needs) -> one(a.zerosLike().scatterAdd(n.ints[0], n.aux, g));
            case SCATTER_ADD -> (n, a, b, out, g, needs) -> two(g, needs[1] ? g.gather(n.ints[0], n.aux) : null);
            case MATMUL -> (n, a, b, out, g, needs) ->
                    two(needs[0] ? g.matmul(b.mT()) : null, needs[1] ? a.mT().matmul(g) : null);
            case LINEAR -> Derivatives::linear;
            case LOG_SOFTMAX -> (n, a, b, out, g, needs) -> one(GradMode.isEnabled()
                    ? g.sub(out.exp().mul(g.sum(n.ints[0], true)))
                    : Elementwise.logSoftmaxBackward(g, out, n.ints[0]));
            // fused cells: a kernel reading the saved gates, or with createGraph the same rule in tensor ops
            case LSTM_CELL -> (n, a, b, out, g, needs) -> GradMode.isEnabled() ? lstmCell(a, b, n.inputs[2], g)
                    : RecurrentCells.lstmBackward(n, g, needs);
            case GRU_CELL -> (n, a, b, out, g, needs) -> GradMode.isEnabled() ? gruCell(a, b, n.inputs[2], g)
                    : RecurrentCells.gruBackward(n, g, needs);
            case CAST -> (n, a, b, out, g, needs) -> one(g.to(a.dtype));
            case CONV2D -> Derivatives::conv2d;
            // a = the conv's output gradient, b = its weight; out has the conv's input shape
            case CONV2D_INPUT_GRAD -> (n, a, b, out, g, needs) -> two(
                    needs[0] ? Conv.conv2d(g, b, null, Conv.stride(n.ints), Conv.padding(n.ints),
                            Conv.dilation(n.ints), n.ints[6]) : null,
                    needs[1] ? Conv.weightGrad(g, a, b.shape[2], b.shape[3], n.ints) : null);
            // a = the conv's input, b = its output gradient; out has the weight's shape
            case CONV2D_WEIGHT_GRAD -> (n, a, b, out, g, needs) -> two(
                    needs[0] ? Conv.inputGrad(b, g, a.shape[2], a.shape[3], n.ints) : null,
                    needs[1] ? Conv.conv2d(a, g, null, Conv.stride(n.ints), Conv.padding(n.ints),
                            Conv.dilation(n.ints), n.ints[6]) : null);
            case MAX_POOL2D -> (n, a, b, out, g, needs) -> one(Conv.maxPoolBackward(g, a.dtype, a.shape, n.ints,
                    n.aux, fusedRelu(n) ? out : null, false));
            case CONV2D_MAXPOOL -> Derivatives::conv2dMaxPool;
        };
    }

    private static Tensor[] max(Node n, Tensor a, Tensor b, Tensor out, Tensor g, boolean[] needs) {
        Tensor peak = a.eq(keepDims(out, a, n.ints));
        return one(peak.mul(keepDims(g, a, n.ints)).div(peak.sum(dims(n.ints), true)));
    }

    private static Tensor[] permute(Node n, Tensor a, Tensor b, Tensor out, Tensor g, boolean[] needs) {
        int[] inverse = new int[n.ints.length];
        for (int i = 0; i < inverse.length; i++) {
            inverse[n.ints[i]] = i;
        }
        return one(g.permute(inverse));
    }

    private static Tensor[] concat(Node n, Tensor a, Tensor b, Tensor out, Tensor g, boolean[] needs) {
        Tensor[] parts = new Tensor[n.inputs.length];
        for (int i = 0, at = 0; i < parts.length; at += n.ints[i + 1], i++) {
            parts[i] = needs[i] ? g.narrow(n.ints[0], at, n.ints[i + 1]) : null;
        }
        return parts;
    }

    /** g is the product's gradient: a fused relu's mask is applied before, by {@link #beforeFusedRelu}. */
    private static Tensor[] linear(Node n, Tensor a, Tensor b, Tensor out, Tensor g, boolean[] needs) {
        Tensor g2 = rows(g);
        Tensor x2 = rows(a);
        return new Tensor[] {needs[0] ? g2.matmul(b).reshape(a.shape) : null, needs[1] ? g2.mT().matmul(x2) : null,
            n.inputs.length > 2 && needs[2] ? g2.sum(0, false) : null};
    }

    private static Tensor[] conv2d(Node n, Tensor a, Tensor b, Tensor out, Tensor g, boolean[] needs) {
        Tensor gz = fusedRelu(n) ? reluGrad(g, out) : g; // a relu fused into the op: its mask from out
        return new Tensor[] {
            needs[0] ? Conv.inputGrad(gz, b, a.shape[2], a.shape[3], n.ints) : null,
            needs[1] ? Conv.weightGrad(a, gz, b.shape[2], b.shape[3], n.ints) : null,
            n.inputs.length > 2 && needs[2] ? gz.sum(new int[] {0, 2, 3}, false) : null};
    }

    /** The pooling's gradient (relu mask from out), then conv2d's rule without relu. */
    private static Tensor[] conv2dMaxPool(Node n, Tensor a, Tensor b, Tensor out, Tensor g, boolean[] needs) {
        boolean bias = n.inputs.length > 2 && needs[2];
        int[] conv = java.util.Arrays.copyOf(n.ints, 9);
        Tensor[] pooledGrads = needs[0] ? null : Conv.pooledWeightGrad(a, g, n.aux, fusedRelu(n) ? out : null,
                b.shape, n.ints, bias);
        if (pooledGrads != null) {
            return new Tensor[] {null, needs[1] ? pooledGrads[0] : null, pooledGrads[1]};
        }
        // gz is used here only, so it may live in scratch space (unless a graph of this is recorded)
        Tensor gz = Conv.maxPoolBackward(g, a.dtype, new int[] {a.shape[0], b.shape[0], n.ints[16], n.ints[17]},
                java.util.Arrays.copyOfRange(n.ints, 9, 15), n.aux, fusedRelu(n) ? out : null, true);
        return new Tensor[] {
            needs[0] ? Conv.inputGrad(gz, b, a.shape[2], a.shape[3], conv) : null,
            needs[1] ? Conv.weightGrad(a, gz, b.shape[2], b.shape[3], conv) : null,
            bias ? gz.sum(new int[] {0, 2, 3}, false) : null};
    }

    /**
     * The gradient at the output of {@code n} before a relu fused into it (a LINEAR recorded with ints {@code {1}}):
     * {@code g} where {@code out > 0}, else 0; for every other node {@code g} itself. The backward pass applies this
     * once, before the node's rule and {@link #productFactors}, which then see the product's own gradient.
     */
    static Tensor beforeFusedRelu(Node n, Tensor out, Tensor g) {
        return n.op == Prim.LINEAR && fusedRelu(n) ? reluGrad(g, out) : g;
    }

    /** Whether a relu is fused into the node's op (its flag in the node's ints). */
    static boolean fusedRelu(Node n) {
        return switch (n.op) {
            case LINEAR -> n.ints != null && n.ints[0] == 1;
            case CONV2D -> n.ints[7] == 1;
            case MAX_POOL2D -> n.ints[6] == 1;
            case CONV2D_MAXPOOL -> n.ints[15] == 1;
            default -> false;
        };
    }

    /**
     * Adds the gradient of input {@code i} of {@code n} into {@code dst}, a buffer of that input's shape which the
     * backward pass owns, without materialising the gradient first; only when no graph of the backward is recorded.
     * False when the rule has no such form (then {@link #vjp} computes it). A NARROW adds into its slice.
     */
    static boolean accumulate(Node n, Tensor g, int i, Tensor dst) {
        if (n.op == Prim.NARROW) {
            Elementwise.accumulate(dst.narrowView(n.ints[0], n.ints[1], n.ints[2]), g, 1);
            return true;
        }
        return false;
    }

    /**
     * When the gradient of input {@code i} is a matrix product aᵀ·b, the factors {a, b} (rows in the same order), so
     * that the backward pass can sum many such gradients as one product; else null. A LINEAR weight: gᵀ·x.
     */
    static Tensor[] productFactors(Node n, Tensor g, int i) {
        return n.op == Prim.LINEAR && i == 1 ? new Tensor[] {rows(g), rows(n.inputs[0])} : null;
    }

    /** A tensor as a matrix of rows: a vector as one row, higher ranks with their leading dimensions flattened. */
    private static Tensor rows(Tensor t) {
        return t.dim() == 1 ? t.unsqueeze(0) : t.flatten(0, -2);
    }

    /**
     * The LSTM cell's rule with tensor ops (for gradients of gradients; without them the kernel in
     * {@link RecurrentCells} computes the same from the saved gates). x, h: gate pre-activations, c: previous cell,
     * g = [g_h | g_c]: dc' = g_c + g_h·o·(1 − tanh²c'), d(gates) = [dc'·g·i(1 − i) | dc'·c·f(1 − f) |
     * dc'·i·(1 − g²) | g_h·tanh(c')·o(1 − o)] for both x and h, dc = dc'·f.
     */
    private static Tensor[] lstmCell(Tensor x, Tensor h, Tensor c, Tensor g) {
        int hs = c.size(1);
        Tensor gates = x.add(h);
        Tensor i = gates.narrow(1, 0, hs).sigmoid();
        Tensor f = gates.narrow(1, hs, hs).sigmoid();
        Tensor gg = gates.narrow(1, 2 * hs, hs).tanh();
        Tensor o = gates.narrow(1, 3 * hs, hs).sigmoid();
        Tensor t = f.mul(c).add(i.mul(gg)).tanh();
        Tensor gh = g.narrow(1, 0, hs);
        Tensor dc = g.narrow(1, hs, hs).add(gh.mul(o).mul(t.square().rsub(1)));
        Tensor dGates = Tensor.concat(1, dc.mul(gg).mul(i.mul(i.rsub(1))), dc.mul(c).mul(f.mul(f.rsub(1))),
                dc.mul(i).mul(gg.square().rsub(1)), gh.mul(t).mul(o.mul(o.rsub(1))));
        return new Tensor[] {dGates, dGates, dc.mul(f)};
    }

    /**
     * The GRU cell's rule with tensor ops. x, h: gate pre-activations, p: previous state:
     * dn = g·(1 − z)·(1 − n²), dz = g·(p − n)·z(1 − z), dr = dn·h_n·r(1 − r);
     * dx = [dr | dz | dn], dh = [dr | dz | dn·r], dp = g·z.
     */
    private static Tensor[] gruCell(Tensor x, Tensor h, Tensor p, Tensor g) {
        int hs = p.size(1);
        Tensor hn = h.narrow(1, 2 * hs, hs);
        Tensor r = x.narrow(1, 0, hs).add(h.narrow(1, 0, hs)).sigmoid();
        Tensor z = x.narrow(1, hs, hs).add(h.narrow(1, hs, hs)).sigmoid();
        Tensor nn = x.narrow(1, 2 * hs, hs).add(r.mul(hn)).tanh();
        Tensor dn = g.mul(z.rsub(1)).mul(nn.square().rsub(1));
        Tensor dz = g.mul(p.sub(nn)).mul(z.mul(z.rsub(1)));
        Tensor dr = dn.mul(hn).mul(r.mul(r.rsub(1)));
        return new Tensor[] {Tensor.concat(1, dr, dz, dn), Tensor.concat(1, dr, dz, dn.mul(r)), g.mul(z)};
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
