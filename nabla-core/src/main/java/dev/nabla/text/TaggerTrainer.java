package dev.nabla.text;

import dev.nabla.nn.loss.Loss;
import dev.nabla.nn.loss.Losses;
import dev.nabla.optim.Adam;
import dev.nabla.optim.GradClip;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The training loop of a {@link PosTagger}, written out so it can be copied: each epoch the training sentences are
 * shuffled and bucketed by length into padded batches ({@link SequenceBatcher}); the loss is the softmax
 * cross-entropy averaged over the real tokens of the batch (padding is never scored); Adam, with gradient clipping
 * by global norm. After each epoch the development sentences are tagged and their accuracy logged.
 *
 * <p>With {@code seconds} 0 the run depends only on the seed: the same seed gives the same weights and figures.
 * A time budget stops at the first step past it, which depends on the machine's speed.
 */
public final class TaggerTrainer {
    /** Settings: epochs, seconds (time budget, 0: none), batch, learning rate, clipping norm, seed, log every N steps (0: never). */
    public record Options(int epochs, double seconds, int batch, double lr, double clipNorm, long seed, int logEvery) {}

    /**
     * What training did: epochs begun, steps, tokens trained on, seconds, the mean loss of the last epoch's steps,
     * the dev accuracy after each epoch.
     */
    public record Result(int epochs, int steps, long tokens, double seconds, double lastLoss, List<Double> devAccuracy) {}

    private static final Loss CROSS_ENTROPY = Losses.softmaxCrossEntropy();

    private TaggerTrainer() {}

    /** Trains {@code model} on {@code train}, scoring {@code dev} (may be empty) after each epoch; progress goes to {@code log}. */
    public static Result train(PosTagger model, List<BrownCorpus.Sentence> train, List<BrownCorpus.Sentence> dev,
            Options o, Consumer<String> log) {
        List<int[][]> inputs = model.encode(train.stream().map(BrownCorpus.Sentence::words).toList());
        List<int[]> targets = train.stream().map(s -> model.tagIds(s.tags())).toList();
        List<int[]> words = inputs.stream().map(e -> e[0]).toList();
        SequenceBatcher batcher = new SequenceBatcher(o.batch(), 0, true);
        Optimizer optimizer = new Adam(model.network().parameters(), o.lr());
        Generator g = new Generator(o.seed());
        List<Double> devAccuracy = new ArrayList<>();
        long start = System.nanoTime();
        int step = 0;
        int epoch = 0;
        long tokens = 0;
        double lastLoss = Double.NaN;
        model.network().train(true);
        while (epoch < o.epochs() && !overBudget(start, o)) {
            epoch++;
            double sum = 0;
            int count = 0;
            for (SequenceBatcher.Batch b : batcher.batches(words, g)) {
                if (overBudget(start, o)) {
                    break;
                }
                PosTagger.Inputs in = PosTagger.batch(inputs, b.indices());
                float[] y = new float[in.positions().length];
                int k = 0;
                for (int i : b.indices()) {
                    for (int t : targets.get(i)) {
                        y[k++] = t;
                    }
                }
                Tensor scores = model.network().scores(in.ids(), in.lengths(), in.positions());
                Tensor loss = CROSS_ENTROPY.apply(scores, Tensor.fromArray(y, y.length));
                optimizer.zeroGrad();
                loss.backward();
                GradClip.byGlobalNorm(model.network().parameters(), o.clipNorm());
                optimizer.step();
                step++;
                tokens += y.length;
                sum += loss.item();
                count++;
                if (o.logEvery() > 0 && step % o.logEvery() == 0) {
                    log.accept(String.format("epoch %d  step %d  loss %.4f  %.1fs", epoch, step, sum / count,
                            seconds(start)));
                }
            }
            lastLoss = count > 0 ? sum / count : lastLoss;
            if (count > 0 && !dev.isEmpty()) {
                TagAccuracy acc = evaluate(model, dev, w -> true, o.batch());
                devAccuracy.add(acc.accuracy());
                log.accept(String.format("epoch %d done  train loss %.4f  dev accuracy %.4f  %.1fs", epoch, lastLoss,
                        acc.accuracy(), seconds(start)));
            }
        }
        model.network().train(true);
        return new Result(epoch, step, tokens, seconds(start), lastLoss, devAccuracy);
    }

    /** The tagger's token accuracy on {@code sentences}; {@code known} tells which words training saw. */
    public static TagAccuracy evaluate(PosTagger model, List<BrownCorpus.Sentence> sentences,
            Predicate<String> known, int batch) {
        List<List<String>> predicted = model.tag(sentences.stream().map(BrownCorpus.Sentence::words).toList(), batch);
        return TagAccuracy.of(sentences, predicted, known);
    }

    private static boolean overBudget(long start, Options o) {
        return o.seconds() > 0 && seconds(start) >= o.seconds();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
