package dev.nabla.text;

import dev.nabla.autograd.GradMode;
import dev.nabla.io.ModelFile;
import dev.nabla.nn.Embedding;
import dev.nabla.nn.LSTM;
import dev.nabla.nn.LayerNorm;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.PositionalEmbedding;
import dev.nabla.nn.Recurrent;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.TransformerEncoderLayer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A character-level language model: a {@link Sequential} network from token ids {@code [N, T]} to next-token logits
 * {@code [N, T, V]}, with its {@link CharTokenizer}. Two shapes: an LSTM (Embedding → LSTM → Linear) and a
 * decoder-only Transformer (Embedding → PositionalEmbedding → causal pre-norm blocks → LayerNorm → Linear).
 * Saved as a model file whose metadata also holds the tokenizer's alphabet and the context length.
 */
public final class LanguageModel {
    /** Logits {@code [N, T, V]} and, for a recurrent model, the state after the last step (else null). */
    public record Step(Tensor logits, Recurrent.State state) {}

    private final Sequential network;
    private final CharTokenizer tokenizer;
    private final int context;

    /** Wraps a network whose first layer embeds ids and whose last layer gives logits over the tokenizer's ids. */
    public LanguageModel(Sequential network, CharTokenizer tokenizer, int context) {
        this.network = network;
        this.tokenizer = tokenizer;
        this.context = context;
    }

    /** Embedding(V, dim) → LSTM(dim, hidden, layers) → Linear(hidden, V); trained on chunks of {@code context}. */
    public static LanguageModel lstm(CharTokenizer tokenizer, int dim, int hidden, int layers, int context,
            Generator g) {
        int v = tokenizer.size();
        return new LanguageModel(new Sequential(new Embedding(v, dim, -1, g), new LSTM(dim, hidden, layers, false, g),
                new Linear(hidden, v, g)), tokenizer, context);
    }

    /** A GPT-style decoder-only Transformer of {@code layers} causal blocks over windows of {@code context}. */
    public static LanguageModel transformer(CharTokenizer tokenizer, int dim, int heads, int layers, int context,
            Generator g) {
        int v = tokenizer.size();
        Sequential net = new Sequential(new Embedding(v, dim, -1, g), new PositionalEmbedding(context, dim, g));
        for (int i = 0; i < layers; i++) {
            net.add(new TransformerEncoderLayer(dim, heads, 4 * dim, true, 0, g));
        }
        net.add(new LayerNorm(dim)).add(new Linear(dim, v, g));
        return new LanguageModel(net, tokenizer, context);
    }

    /** Runs ids {@code [N, T]} from a recurrent {@code state} (null: zeros; ignored by a Transformer). */
    public Step forward(Tensor ids, Recurrent.State state) {
        Tensor x = ids;
        Recurrent.State out = null;
        for (Module layer : network.layers()) {
            if (layer instanceof Recurrent r) {
                Recurrent.Output o = r.forward(x, state, null);
                x = o.output();
                out = o.state();
            } else {
                x = layer.forward(x);
            }
        }
        return new Step(x, out);
    }

    /** True when the model carries a state from step to step (an LSTM), so it reads text in any length. */
    public boolean isRecurrent() {
        return network.layers().stream().anyMatch(m -> m instanceof Recurrent);
    }

    /** {@code count} characters continuing {@code prompt}, sampled one at a time. */
    public String generate(String prompt, int count, Sampler sampler, Generator generator) {
        boolean training = network.isTraining();
        network.eval();
        StringBuilder sb = new StringBuilder(prompt);
        int[] history = tokenizer.encode(prompt.isEmpty() && tokenizer.contains('\n') ? "\n" : prompt);
        if (history.length == 0) {
            throw new IllegalArgumentException("generate: give a prompt (this model's alphabet has no newline)");
        }
        try (var scope = GradMode.noGrad()) {
            Recurrent.State state = null;
            int[] pending = history;
            List<Integer> all = new ArrayList<>();
            for (int id : history) {
                all.add(id);
            }
            for (int i = 0; i < count; i++) {
                Tensor ids;
                if (isRecurrent()) {
                    ids = row(pending, 0, pending.length);
                } else {
                    int start = Math.max(0, all.size() - context);
                    int[] window = all.subList(start, all.size()).stream().mapToInt(Integer::intValue).toArray();
                    ids = row(window, 0, window.length);
                }
                Step step = forward(ids, state);
                state = step.state();
                Tensor last = step.logits().select(1, ids.size(1) - 1).select(0, 0);
                int next = sampler.sample(last.toDoubleArray(), generator);
                all.add(next);
                pending = new int[] {next};
                sb.append(tokenizer.decode(next));
            }
        }
        network.train(training);
        return sb.toString();
    }

    /** Ids {@code tokens[from, from+length)} as a {@code [1, length]} batch. */
    static Tensor row(int[] tokens, int from, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = tokens[from + i];
        }
        return Tensor.fromArray(v, 1, length);
    }

    /** Writes the network, weights, tokenizer and context length to one model file. */
    public void save(Path file) throws IOException {
        ModelFile.save(file, network, new int[] {context}, Map.of("tokenizer", tokenizer.alphabet(),
                "context", Integer.toString(context)));
    }

    /** Reads a file written by {@link #save}. */
    public static LanguageModel load(Path file) throws IOException {
        ModelFile.Loaded loaded = ModelFile.load(file);
        String alphabet = loaded.metadata().get("tokenizer");
        String context = loaded.metadata().get("context");
        if (alphabet == null || context == null || !(loaded.network() instanceof Sequential seq)) {
            throw new IOException(file + ": not a language model file (no tokenizer or context in its metadata, or"
                    + " not a Sequential network); write one with LanguageModel.save or nabla train-lm");
        }
        return new LanguageModel(seq, new CharTokenizer(alphabet), Integer.parseInt(context));
    }

    public Sequential network() {
        return network;
    }

    public CharTokenizer tokenizer() {
        return tokenizer;
    }

    /** The training chunk (LSTM) or attention window (Transformer) length. */
    public int context() {
        return context;
    }

    /** All trainable parameters. */
    public List<Tensor> parameters() {
        return network.parameters();
    }
}
