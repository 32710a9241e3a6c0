package dev.nabla.text;

import dev.nabla.autograd.GradMode;
import dev.nabla.nn.Recurrent;
import dev.nabla.nn.loss.Loss;
import dev.nabla.nn.loss.Losses;
import dev.nabla.nn.loss.Reduction;
import dev.nabla.optim.Adam;
import dev.nabla.optim.GradClip;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The training loop of a {@link LanguageModel}, written out so it can be copied: next-token softmax cross-entropy,
 * Adam, gradient clipping by global norm after every backward pass.
 *
 * <p>A recurrent model reads the training text as {@code batch} parallel streams in consecutive chunks of
 * {@code context} characters, carrying its state from chunk to chunk and detaching it after each (truncated
 * backpropagation through time, k = context). A Transformer trains on random windows of {@code context + 1}
 * characters.
 */
public final class LanguageModelTrainer {
    /** Settings: steps (upper bound), seconds (time limit, 0: none), batch, learning rate, clipping norm, seed. */
    public record Options(int steps, double seconds, int batch, double lr, double clipNorm, long seed, int logEvery) {}

    /** What training did: steps taken, seconds, the mean loss (nats per character) of the last logged steps. */
    public record Result(int steps, double seconds, double trainLoss) {}

    private static final Loss CROSS_ENTROPY = Losses.softmaxCrossEntropy();

    private LanguageModelTrainer() {}

    /** Trains {@code model} on the token ids {@code text}; {@code log} receives progress lines. */
    public static Result train(LanguageModel model, int[] text, Options o, Consumer<String> log) {
        Optimizer optimizer = new Adam(model.parameters(), o.lr());
        Generator g = new Generator(o.seed());
        int k = model.context();
        int streamLength = text.length / o.batch();
        int position = 0;
        Recurrent.State state = null;
        long start = System.nanoTime();
        double recent = 0;
        int recentCount = 0;
        double lastMean = Double.NaN;
        int step = 0;
        model.network().train(true);
        while (step < o.steps() && (o.seconds() <= 0 || (System.nanoTime() - start) / 1e9 < o.seconds())) {
            Tensor inputs;
            Tensor targets;
            if (model.isRecurrent()) {
                if (position + k + 1 > streamLength) {
                    position = 0;
                    state = null;
                }
                int[] starts = new int[o.batch()];
                for (int b = 0; b < starts.length; b++) {
                    starts[b] = b * streamLength + position;
                }
                inputs = windows(text, starts, k, 0);
                targets = windows(text, starts, k, 1);
                position += k;
            } else {
                int[] starts = new int[o.batch()];
                for (int b = 0; b < starts.length; b++) {
                    starts[b] = g.nextInt(text.length - k - 1);
                }
                inputs = windows(text, starts, k, 0);
                targets = windows(text, starts, k, 1);
            }
            LanguageModel.Step out = model.forward(inputs, state);
            Tensor loss = CROSS_ENTROPY.apply(out.logits().reshape(-1, model.tokenizer().size()), targets.reshape(-1));
            optimizer.zeroGrad();
            loss.backward();
            GradClip.byGlobalNorm(model.parameters(), o.clipNorm());
            optimizer.step();
            if (out.state() != null) {
                state = new Recurrent.State(out.state().h().detach(),
                        out.state().c() == null ? null : out.state().c().detach());
            }
            step++;
            recent += loss.item();
            recentCount++;
            if (step % o.logEvery() == 0) {
                lastMean = recent / recentCount;
                log.accept(String.format("step %d  loss %.4f  (%.3f bits/char)  %.1fs", step, lastMean,
                        lastMean / Math.log(2), (System.nanoTime() - start) / 1e9));
                recent = 0;
                recentCount = 0;
            }
        }
        if (recentCount > 0) {
            lastMean = recent / recentCount;
        }
        return new Result(step, (System.nanoTime() - start) / 1e9, lastMean);
    }

    /**
     * The mean next-character loss (nats) on {@code text}. A recurrent model reads it as {@code streams} parallel
     * streams with carried state; a Transformer reads windows of its context overlapping by half, in batches of
     * {@code streams}, each character scored once with at least half a window of context (in the first window: all).
     */
    public static double evaluate(LanguageModel model, int[] text, int streams) {
        boolean training = model.network().isTraining();
        model.network().eval();
        int k = model.context();
        double total = 0;
        long count = 0;
        try (var scope = GradMode.noGrad()) {
            if (model.isRecurrent()) {
                int streamLength = text.length / streams;
                Recurrent.State state = null;
                int[] starts = new int[streams];
                for (int position = 0; position + 1 < streamLength; position += k) {
                    int len = Math.min(k, streamLength - 1 - position);
                    for (int b = 0; b < streams; b++) {
                        starts[b] = b * streamLength + position;
                    }
                    LanguageModel.Step out = model.forward(windows(text, starts, len, 0), state);
                    state = out.state();
                    Tensor loss = Losses.softmaxCrossEntropy(Reduction.SUM).apply(
                            out.logits().reshape(-1, model.tokenizer().size()), windows(text, starts, len, 1).reshape(-1));
                    total += loss.item();
                    count += (long) streams * len;
                }
            } else {
                // Windows of k start every k/2 characters (the last one ends at the text's end); each scores only
                // the targets its predecessors did not, so every character is scored once, with ≥ k/2 of context.
                int n = text.length;
                int len = Math.min(k, n - 1);
                List<int[]> spans = new ArrayList<>();
                for (int next = 1, s = 0; next < n; s += Math.max(1, k / 2)) {
                    int start = Math.min(s, n - 1 - len);
                    spans.add(new int[] {start, next - (start + 1)});
                    next = start + len + 1;
                }
                for (int w0 = 0; w0 < spans.size(); w0 += streams) {
                    List<int[]> group = spans.subList(w0, Math.min(spans.size(), w0 + streams));
                    int[] starts = group.stream().mapToInt(w -> w[0]).toArray();
                    Tensor logits = model.forward(windows(text, starts, len, 0), null).logits();
                    double[] logProbs = logits.logSoftmax(2).toDoubleArray();
                    int v = model.tokenizer().size();
                    for (int b = 0; b < group.size(); b++) {
                        for (int i = group.get(b)[1]; i < len; i++) {
                            total -= logProbs[(b * len + i) * v + text[starts[b] + i + 1]];
                            count++;
                        }
                    }
                }
            }
        }
        model.network().train(training);
        return total / count;
    }

    /** The unigram baseline: cross-entropy (nats) on {@code heldOut} of character frequencies counted in {@code train} (add-one smoothed). */
    public static double unigramLoss(int[] train, int[] heldOut, int vocabulary) {
        double[] counts = new double[vocabulary];
        Arrays.fill(counts, 1);
        for (int t : train) {
            counts[t]++;
        }
        double total = train.length + vocabulary;
        double loss = 0;
        for (int t : heldOut) {
            loss -= Math.log(counts[t] / total);
        }
        return loss / heldOut.length;
    }

    /** Ids {@code text[start + shift, start + shift + length)} for each start, as {@code [starts, length]}. */
    static Tensor windows(int[] text, int[] starts, int length, int shift) {
        float[] v = new float[starts.length * length];
        for (int b = 0; b < starts.length; b++) {
            for (int i = 0; i < length; i++) {
                v[b * length + i] = text[starts[b] + shift + i];
            }
        }
        return Tensor.fromArray(v, starts.length, length);
    }
}
