package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A pre-norm Transformer block on {@code [N, T, dim]}: x += attention(LN(x)); x += W₂·gelu(W₁·LN(x)). With
 * {@code causal} it is the block of a decoder-only language model (GPT-2's layout).
 */
public final class TransformerEncoderLayer extends Module {
    private final int dim;
    private final int heads;
    private final int ffDim;
    private final boolean causal;
    private final double dropout;
    private final LayerNorm norm1;
    private final MultiHeadAttention attention;
    private final LayerNorm norm2;
    private final Linear ff1;
    private final Linear ff2;
    private final Dropout drop;

    /** A block of {@code dim} features, {@code heads} heads, a feed-forward layer of {@code ffDim}, and dropout p. */
    public TransformerEncoderLayer(int dim, int heads, int ffDim, boolean causal, double dropout, Generator generator) {
        this.dim = dim;
        this.heads = heads;
        this.ffDim = ffDim;
        this.causal = causal;
        this.dropout = dropout;
        norm1 = registerModule("norm1", new LayerNorm(dim));
        attention = registerModule("attention", new MultiHeadAttention(dim, heads, causal, generator));
        norm2 = registerModule("norm2", new LayerNorm(dim));
        ff1 = registerModule("ff1", new Linear(dim, ffDim, generator));
        ff2 = registerModule("ff2", new Linear(ffDim, dim, generator));
        drop = dropout > 0 ? registerModule("dropout", new Dropout(dropout, new Generator(generator.nextLong()))) : null;
    }

    static TransformerEncoderLayer fromConfig(LayerConfig c) {
        return new TransformerEncoderLayer(c.getInt("dim"), c.getInt("heads"), c.getInt("ff_dim"),
                c.getBoolean("causal", false), c.getDouble("dropout", 0), new Generator(0));
    }

    @Override
    public int[] build(int[] inputShape, Generator generator) {
        return attention.build(inputShape, generator);
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** The block with {@code lengths[n]} real positions in sequence n (padded keys hidden); null for all. */
    public Tensor forward(Tensor x, int[] lengths) {
        if (x.dim() != 3 || x.size(2) != dim) {
            throw new IllegalArgumentException(this + ": input of shape " + Shapes.str(x.shape())
                    + " must be [batch, time, " + dim + "]");
        }
        Tensor h = norm1.forward(x);
        x = x.add(maybeDrop(attention.forward(h, h, lengths)));
        return x.add(maybeDrop(MultiHeadAttention.project(ff2, MultiHeadAttention.project(ff1, norm2.forward(x)).gelu())));
    }

    private Tensor maybeDrop(Tensor x) {
        return drop == null ? x : drop.forward(x);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("dim", dim);
        config.put("heads", heads);
        config.put("ff_dim", ffDim);
        config.put("causal", causal);
        config.put("dropout", dropout);
        return config;
    }
}
