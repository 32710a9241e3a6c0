package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A pre-norm Transformer decoder block on {@code [N, T, dim]} attending to an encoder's output {@code memory}:
 * x += causalSelfAttention(LN(x)); x += crossAttention(LN(x), memory); x += W₂·gelu(W₁·LN(x)).
 * For a decoder-only model (no memory) use {@link TransformerEncoderLayer} with {@code causal}.
 */
public final class TransformerDecoderLayer extends Module {
    private final int dim;
    private final int heads;
    private final int ffDim;
    private final LayerNorm norm1;
    private final MultiHeadAttention selfAttention;
    private final LayerNorm norm2;
    private final MultiHeadAttention crossAttention;
    private final LayerNorm norm3;
    private final Linear ff1;
    private final Linear ff2;

    /** A block of {@code dim} features, {@code heads} heads and a feed-forward layer of {@code ffDim}. */
    public TransformerDecoderLayer(int dim, int heads, int ffDim, Generator generator) {
        this.dim = dim;
        this.heads = heads;
        this.ffDim = ffDim;
        norm1 = registerModule("norm1", new LayerNorm(dim));
        selfAttention = registerModule("self_attention", new MultiHeadAttention(dim, heads, true, generator));
        norm2 = registerModule("norm2", new LayerNorm(dim));
        crossAttention = registerModule("cross_attention", new MultiHeadAttention(dim, heads, false, generator));
        norm3 = registerModule("norm3", new LayerNorm(dim));
        ff1 = registerModule("ff1", new Linear(dim, ffDim, generator));
        ff2 = registerModule("ff2", new Linear(ffDim, dim, generator));
    }

    static TransformerDecoderLayer fromConfig(LayerConfig c) {
        return new TransformerDecoderLayer(c.getInt("dim"), c.getInt("heads"), c.getInt("ff_dim"), new Generator(0));
    }

    /** Not usable alone: a decoder block needs the encoder's output; call {@link #forward(Tensor, Tensor, int[])}. */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(this + ": forward needs the encoder's output: call forward(x, memory,"
                + " memoryLengths), or use a causal TransformerEncoderLayer for a decoder-only model");
    }

    @Override
    public int[] build(int[] inputShape, Generator generator) {
        return selfAttention.build(inputShape, generator);
    }

    /** The block on {@code x [N, T, dim]} with {@code memory [N, S, dim]} of {@code memoryLengths} real positions. */
    public Tensor forward(Tensor x, Tensor memory, int[] memoryLengths) {
        if (x.dim() != 3 || x.size(2) != dim) {
            throw new IllegalArgumentException(this + ": input of shape " + Shapes.str(x.shape())
                    + " must be [batch, time, " + dim + "]");
        }
        Tensor h = norm1.forward(x);
        x = x.add(selfAttention.forward(h, h, null));
        x = x.add(crossAttention.forward(norm2.forward(x), memory, memoryLengths));
        return x.add(MultiHeadAttention.project(ff2, MultiHeadAttention.project(ff1, norm3.forward(x)).gelu()));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("dim", dim);
        config.put("heads", heads);
        config.put("ff_dim", ffDim);
        return config;
    }
}
