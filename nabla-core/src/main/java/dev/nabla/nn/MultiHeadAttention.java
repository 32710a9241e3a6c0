package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Multi-head scaled dot-product attention (Vaswani et al.), batch-first:
 * head_i = softmax(Q_i·K_iᵀ/√d + mask)·V_i with Q = q·W_qᵀ + b_q (likewise K, V), output = concat(heads)·W_oᵀ + b_o.
 *
 * <p>Masks are additive: a causal mask hides later keys from each query, and key lengths hide padded keys. A query
 * whose keys are all hidden attends uniformly to nothing useful; give every sequence at least one real key.
 */
public final class MultiHeadAttention extends Module {
    /** A masked score: exp of it is exactly zero after the softmax's max subtraction. */
    static final double MASKED = -1e9;

    private final int dim;
    private final int heads;
    private final boolean causal;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear out;

    /** Attention over {@code dim} features in {@code heads} heads; {@code causal} hides the future (self-attention). */
    public MultiHeadAttention(int dim, int heads, boolean causal, Generator generator) {
        if (dim <= 0 || heads <= 0 || dim % heads != 0) {
            throw new IllegalArgumentException("MultiHeadAttention: dim " + dim + " must be a positive multiple of"
                    + " heads " + heads);
        }
        this.dim = dim;
        this.heads = heads;
        this.causal = causal;
        query = registerModule("query", new Linear(dim, dim, generator));
        key = registerModule("key", new Linear(dim, dim, generator));
        value = registerModule("value", new Linear(dim, dim, generator));
        out = registerModule("out", new Linear(dim, dim, generator));
    }

    static MultiHeadAttention fromConfig(LayerConfig c) {
        return new MultiHeadAttention(c.getInt("dim"), c.getInt("heads"), c.getBoolean("causal", false),
                new Generator(0));
    }

    @Override
    public int[] build(int[] inputShape, Generator generator) {
        if (inputShape.length != 2 || inputShape[1] != dim) {
            throw new IllegalArgumentException(this + ": input shape " + Shapes.str(inputShape) + " must be [time, "
                    + dim + "]");
        }
        return inputShape.clone();
    }

    /** Self-attention of {@code x [N, T, dim]}. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, null);
    }

    /**
     * Attention of queries {@code q [N, Tq, dim]} over keys and values {@code kv [N, Tk, dim]}; {@code keyLengths[n]}
     * real keys in sequence n (null: all).
     */
    public Tensor forward(Tensor q, Tensor kv, int[] keyLengths) {
        if (q.dim() != 3 || kv.dim() != 3 || q.size(2) != dim || kv.size(2) != dim || q.size(0) != kv.size(0)) {
            throw new IllegalArgumentException(this + ": queries " + Shapes.str(q.shape()) + " and keys "
                    + Shapes.str(kv.shape()) + " must be [batch, time, " + dim + "] with the same batch");
        }
        int n = q.size(0);
        int tq = q.size(1);
        int tk = kv.size(1);
        Tensor qh = split(project(query, q));
        Tensor kh = split(project(key, kv));
        Tensor vh = split(project(value, kv));
        Tensor scores = qh.matmul(kh.mT()).mul(1 / Math.sqrt(dim / heads));
        Tensor bias = maskBias(n, tq, tk, keyLengths);
        if (bias != null) {
            scores = scores.add(bias.to(scores.dtype()));
        }
        Tensor attended = scores.softmax(-1).matmul(vh);
        return project(out, attended.permute(0, 2, 1, 3).reshape(n, tq, dim));
    }

    /** A dense layer's affine map in the input's dtype (float32 weights serve a float64 check too, as LayerNorm's). */
    static Tensor project(Linear layer, Tensor x) {
        return x.linear(layer.weight().to(x.dtype()), layer.bias().to(x.dtype()));
    }

    /** {@code [N, T, dim]} to {@code [N, heads, T, dim/heads]}. */
    private Tensor split(Tensor x) {
        return x.reshape(x.size(0), x.size(1), heads, dim / heads).permute(0, 2, 1, 3);
    }

    /** The additive mask {@code [N or 1, 1, Tq, Tk]}, or null when nothing is hidden. */
    private Tensor maskBias(int n, int tq, int tk, int[] keyLengths) {
        if (!causal && keyLengths == null) {
            return null;
        }
        if (keyLengths != null && keyLengths.length != n) {
            throw new IllegalArgumentException(this + ": " + keyLengths.length + " key lengths for a batch of " + n);
        }
        int rows = keyLengths == null ? 1 : n;
        double[] bias = new double[rows * tq * tk];
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    boolean hidden = (causal && j > i + (tk - tq)) || (keyLengths != null && j >= keyLengths[b]);
                    bias[(b * tq + i) * tk + j] = hidden ? MASKED : 0;
                }
            }
        }
        return Tensor.fromArray(bias, rows, 1, tq, tk);
    }

    /** True when each query sees only keys up to its own position. */
    public boolean isCausal() {
        return causal;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("dim", dim);
        config.put("heads", heads);
        config.put("causal", causal);
        return config;
    }

    @Override
    protected String describe() {
        return "dim=" + dim + ", heads=" + heads + (causal ? ", causal" : "");
    }
}
