package dev.nabla.text;

import dev.nabla.optim.Adagrad;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The training loop of a {@link SkipGram} model: word2vec's sampling, with Adagrad on the summed loss of a batch of
 * pairs, its learning rate falling linearly from {@code lr} to {@code lr·10⁻⁴} over the planned epochs (by sentences
 * read), as word2vec's does. Adagrad leaves the rows a batch does not touch alone and scales each element's step by
 * its own gradient history, so a frequent word met hundreds of times in one batch does not take a step hundreds of
 * times too long. In trials on the Brown corpus the alternatives failed: plain gradient descent on the batch sum
 * (word2vec's per-pair rule, batched) drew all vectors of frequent words to one direction (cosines of 1.00 between
 * unrelated words) at lr 0.025 and barely moved at 0.005; Adam, whose momentum moves every row at every step, drew
 * all vectors together too.
 *
 * <p>Each epoch visits the sentences in a shuffled order; a word of relative frequency f is kept with probability
 * {@code min(1, (√(f/t) + 1)·t/f)} (subsampling of frequent words, threshold t); for each kept word a window size r
 * is drawn uniformly from 1 … window and every kept word within r positions becomes a context; each pair gets
 * {@code negatives} words drawn from the unigram distribution raised to the power 3/4. Ids 0 and 1 (padding and
 * unknown in a {@link Vocabulary}) are dropped from the text first. Everything random comes from the seed.
 */
public final class SkipGramTrainer {
    /** Settings: epochs, seconds (0: no limit), window, negatives per pair, subsampling threshold t (0: none), pairs per batch, learning rate, seed, log every N steps (0: never). */
    public record Options(int epochs, double seconds, int window, int negatives, double subsample, int batch, double lr,
            long seed, int logEvery) {}

    /** What training did: epochs begun, steps, pairs trained on, seconds, the mean loss per pair in the last epoch. */
    public record Result(int epochs, int steps, long pairs, double seconds, double lastLoss) {}

    private SkipGramTrainer() {}

    /** Trains {@code model} on {@code sentences} of word ids; progress goes to {@code log}. */
    public static Result train(SkipGram model, List<int[]> sentences, Options o, Consumer<String> log) {
        int vocabulary = model.vectors().size(0);
        long[] counts = new long[vocabulary];
        long total = 0;
        for (int[] s : sentences) {
            for (int id : s) {
                if (id >= 2) {
                    counts[id]++;
                    total++;
                }
            }
        }
        if (total == 0) {
            throw new IllegalArgumentException("SkipGramTrainer: no words with an id of 2 or more to train on");
        }
        double[] keep = new double[vocabulary];
        double[] cumulative = new double[vocabulary];
        double sum = 0;
        for (int w = 0; w < vocabulary; w++) {
            double f = counts[w] / (double) total;
            keep[w] = o.subsample() <= 0 || f == 0 ? 1 : Math.min(1, (Math.sqrt(f / o.subsample()) + 1) * o.subsample() / f);
            sum += Math.pow(counts[w], 0.75);
            cumulative[w] = sum;
        }
        Optimizer optimizer = new Adagrad(model.parameters(), o.lr());
        Generator g = new Generator(o.seed());
        int[] centers = new int[o.batch()];
        int[] contexts = new int[o.batch()];
        int[] negatives = new int[o.batch() * o.negatives()];
        int[] kept = new int[sentences.stream().mapToInt(s -> s.length).max().orElse(0)];
        long start = System.nanoTime();
        int step = 0;
        long pairs = 0;
        int epoch = 0;
        double lastLoss = Double.NaN;
        model.train(true);
        while (epoch < o.epochs() && !overBudget(start, o)) {
            epoch++;
            int[] order = new int[sentences.size()];
            Arrays.setAll(order, i -> i);
            g.shuffle(order);
            double lossSum = 0;
            int lossCount = 0;
            int filled = 0;
            for (int si = 0; si < order.length && !overBudget(start, o); si++) {
                double progress = (epoch - 1 + si / (double) order.length) / o.epochs();
                optimizer.setLearningRate(o.lr() * Math.max(1e-4, 1 - progress));
                int n = 0;
                for (int id : sentences.get(order[si])) {
                    if (id >= 2 && (keep[id] >= 1 || g.nextDouble() < keep[id])) {
                        kept[n++] = id;
                    }
                }
                for (int i = 0; i < n; i++) {
                    int r = 1 + g.nextInt(o.window());
                    for (int j = Math.max(0, i - r); j <= Math.min(n - 1, i + r); j++) {
                        if (j == i) {
                            continue;
                        }
                        centers[filled] = kept[i];
                        contexts[filled] = kept[j];
                        for (int k = 0; k < o.negatives(); k++) {
                            negatives[filled * o.negatives() + k] = sample(cumulative, sum, g);
                        }
                        if (++filled == o.batch()) {
                            Tensor loss = model.loss(centers, contexts, negatives);
                            optimizer.zeroGrad();
                            loss.backward();
                            optimizer.step();
                            step++;
                            pairs += filled;
                            filled = 0;
                            lossSum += loss.item() / o.batch();
                            lossCount++;
                            if (o.logEvery() > 0 && step % o.logEvery() == 0) {
                                log.accept(String.format("epoch %d  step %d  loss %.4f  %.1fs", epoch, step,
                                        lossSum / lossCount, seconds(start)));
                            }
                        }
                    }
                }
            }
            if (lossCount > 0) {
                lastLoss = lossSum / lossCount;
                log.accept(String.format("epoch %d done  loss %.4f  %d steps  %.1fs", epoch, lastLoss, step,
                        seconds(start)));
            }
        }
        return new Result(epoch, step, pairs, seconds(start), lastLoss);
    }

    /** An id drawn with probability proportional to its increment in {@code cumulative}: the first i with cumulative[i] > u. */
    private static int sample(double[] cumulative, double total, Generator g) {
        double u = g.nextDouble() * total;
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static boolean overBudget(long start, Options o) {
        return o.seconds() > 0 && seconds(start) >= o.seconds();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
