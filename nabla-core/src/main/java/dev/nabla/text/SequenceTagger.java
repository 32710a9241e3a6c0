package dev.nabla.text;

import dev.nabla.autograd.GradMode;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Embedding;
import dev.nabla.nn.LSTM;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bidirectional-LSTM sequence tagger: per token, the embeddings of its word, suffix and shape ids
 * ({@link WordFeatures}) are concatenated, a bidirectional LSTM reads the sentence both ways, and a linear layer
 * scores the tags from both directions' states. Input ids {@code [N, T, 3]} (word, suffix, shape; 0 is padding);
 * {@link #scores} scores only the real positions, so padding costs no output layer and needs no masking in the loss.
 * Dropout (training only) acts on the concatenated embeddings and on the LSTM's output. Embeddings start as
 * N(0, {@value #EMBEDDING_STD}²), the LSTM and linear layer with PyTorch's initialisation.
 */
public final class SequenceTagger extends Module {
    /**
     * Standard deviation of the initial embeddings: PyTorch's N(0, 1) scaled down, so that Adam's steps (about the
     * learning rate per step) move a word's vector noticeably within its first few occurrences. On 8,000 Brown
     * sentences one epoch reaches 0.94 dev accuracy this way, against 0.92 from N(0, 1).
     */
    public static final double EMBEDDING_STD = 0.1;
    /** Width of the shape embedding. */
    public static final int SHAPE_DIM = 8;

    /** The sizes that define the network (its weights aside). */
    public record Config(int words, int suffixes, int tags, int dim, int hidden, double dropout) {
        public Config {
            if (words <= 0 || suffixes <= 0 || tags <= 0 || dim <= 0 || hidden <= 0 || !(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("SequenceTagger: words " + words + ", suffixes " + suffixes
                        + ", tags " + tags + ", dim " + dim + " and hidden " + hidden
                        + " must be positive and dropout " + dropout + " in [0, 1)");
            }
        }

        /** Width of the suffix embedding: half the word embedding's, at least 1. */
        public int suffixDim() {
            return Math.max(1, dim / 2);
        }
    }

    private final Config config;
    private final Embedding word;
    private final Embedding suffix;
    private final Embedding shape;
    private final LSTM lstm;
    private final Dropout dropout;
    private final Linear out;

    /** A new network with PyTorch's initialisation drawn from {@code generator}. */
    public SequenceTagger(Config config, Generator generator) {
        this.config = config;
        word = registerModule("word", new Embedding(config.words(), config.dim(), 0, generator));
        suffix = registerModule("suffix", new Embedding(config.suffixes(), config.suffixDim(), 0, generator));
        shape = registerModule("shape", new Embedding(WordFeatures.SHAPES, SHAPE_DIM, 0, generator));
        try (var scope = GradMode.noGrad()) {
            for (Embedding e : new Embedding[] {word, suffix, shape}) {
                e.weight().copyFrom(e.weight().mul(EMBEDDING_STD));
            }
        }
        int in = config.dim() + config.suffixDim() + SHAPE_DIM;
        lstm = registerModule("lstm", new LSTM(in, config.hidden(), 1, true, generator));
        dropout = registerModule("dropout", new Dropout(config.dropout(), new Generator(generator.nextLong())));
        out = registerModule("out", new Linear(2 * config.hidden(), config.tags(), generator));
    }

    /** Tag logits {@code [N, T, tags]} for ids {@code [N, T, 3]}, every position taken as real. */
    @Override
    public Tensor forward(Tensor ids) {
        int n = ids.size(0);
        int t = ids.size(1);
        int[] positions = new int[n * t];
        int[] lengths = new int[n];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i;
        }
        Arrays.fill(lengths, t);
        return scores(ids, lengths, positions).reshape(n, t, config.tags());
    }

    /**
     * Tag logits {@code [positions.length, tags]} at the flat positions {@code n·T + t} of ids {@code [N, T, 3]},
     * where sequence n has real length {@code lengths[n]} (the LSTM ignores what follows it).
     */
    public Tensor scores(Tensor ids, int[] lengths, int[] positions) {
        if (ids.dim() != 3 || ids.size(2) != 3) {
            throw new IllegalArgumentException("SequenceTagger: ids of shape " + Shapes.str(ids.shape())
                    + " must be [batch, time, 3] (word, suffix, shape)");
        }
        int n = ids.size(0);
        int t = ids.size(1);
        Tensor x = Tensor.concat(2, word.forward(ids.select(2, 0)), suffix.forward(ids.select(2, 1)),
                shape.forward(ids.select(2, 2)));
        Tensor h = lstm.forward(dropout.forward(x), null, lengths).output();
        Tensor rows = h.reshape(n * t, 2 * config.hidden()).indexSelect(0, positions);
        return out.forward(dropout.forward(rows));
    }

    /** The sizes this network was made with. */
    public Config settings() {
        return config;
    }

    /** The word embedding table, {@code [words, dim]}. */
    public Tensor wordEmbeddings() {
        return word.weight();
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("words", config.words());
        c.put("suffixes", config.suffixes());
        c.put("tags", config.tags());
        c.put("dim", config.dim());
        c.put("hidden", config.hidden());
        c.put("dropout", config.dropout());
        return c;
    }

    @Override
    protected String describe() {
        return "words=" + config.words() + ", suffixes=" + config.suffixes() + ", tags=" + config.tags() + ", dim="
                + config.dim() + ", hidden=" + config.hidden() + ", dropout=" + config.dropout();
    }
}
