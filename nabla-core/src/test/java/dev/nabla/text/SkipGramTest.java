package dev.nabla.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.GradCheck;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Skip-gram with negative sampling: its loss against a hand-written reference, gradients, training, word vectors. */
class SkipGramTest {
    private static final int[] CENTERS = {2, 3, 2};
    private static final int[] CONTEXTS = {3, 4, 2};
    private static final int[] NEGATIVES = {4, 4, 2, 3, 0, 2};  // k = 2; repeated ids on purpose

    /** Σ over pairs of log(1 + e^(−u_o·v_c)) + Σ over negatives of log(1 + e^(u_n·v_c)), in plain loops. */
    private static double reference(double[] in, double[] out, int d) {
        double total = 0;
        int k = NEGATIVES.length / CENTERS.length;
        for (int b = 0; b < CENTERS.length; b++) {
            total += Math.log1p(Math.exp(-dot(out, CONTEXTS[b], in, CENTERS[b], d)));
            for (int j = 0; j < k; j++) {
                total += Math.log1p(Math.exp(dot(out, NEGATIVES[b * k + j], in, CENTERS[b], d)));
            }
        }
        return total;
    }

    private static double dot(double[] a, int i, double[] b, int j, int d) {
        double s = 0;
        for (int t = 0; t < d; t++) {
            s += a[i * d + t] * b[j * d + t];
        }
        return s;
    }

    @Test
    void lossMatchesTheFormulaAndItsGradientsMatchFiniteDifferences() {
        Generator g = new Generator(4);
        Tensor in = Tensor.normal(DType.FLOAT64, g, 0, 1, 5, 3).requiresGrad(true);
        Tensor out = Tensor.normal(DType.FLOAT64, g, 0, 1, 5, 3).requiresGrad(true);
        Tensor loss = SkipGram.loss(in, out, CENTERS, CONTEXTS, NEGATIVES);
        assertEquals(reference(in.toDoubleArray(), out.toDoubleArray(), 3), loss.item(), 1e-12);
        GradCheck.Result r = GradCheck.check(t -> SkipGram.loss(t[0], t[1], CENTERS, CONTEXTS, NEGATIVES), in, out);
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void modelChecksIdsAndShapes() {
        SkipGram model = new SkipGram(5, 4, new Generator(1));
        assertArrayEquals(new int[] {2, 3, 4}, model.forward(Tensor.fromArray(new float[] {1, 2, 3, 4, 0, 1}, 2, 3)).shape());
        assertEquals(0, model.contextVectors().abs().max().item());
        var e = assertThrows(IllegalArgumentException.class, () -> model.loss(new int[] {5}, new int[] {1}, new int[] {2}));
        assertEquals("SkipGram: id 5.0 is not an integer in [0, 5)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.loss(new int[] {1, 2}, new int[] {1}, new int[] {2}));
        assertTrue(e.getMessage().startsWith("SkipGram.loss: 2 centers, 1 contexts and 1 negatives"), e.getMessage());
    }

    @Test
    void nearestNeighboursAndTagAgreementOnHandMadeVectors(@TempDir Path dir) throws IOException {
        Vocabulary v = Vocabulary.of(List.of(Vocabulary.PAD, Vocabulary.UNK, "a", "b", "c", "d"));
        Tensor vectors = Tensor.fromArray(new float[][] {{0, 0}, {0, 0}, {2, 0}, {1, 0.2f}, {0, 3}, {-1, 0.1f}});
        WordVectors wv = new WordVectors(v, vectors);
        assertEquals(1 / Math.sqrt(1.04), wv.cosine("a", "b"), 1e-6);
        List<WordVectors.Neighbour> near = wv.nearest("a", 2);
        assertEquals(List.of("b", "c"), near.stream().map(WordVectors.Neighbour::word).toList());
        assertEquals(0, near.get(1).cosine(), 1e-6);
        assertEquals(List.of("b", "c", "d"), wv.nearest("a", 10).stream().map(WordVectors.Neighbour::word).toList());
        assertEquals(List.of("b"), wv.nearest("c", 1).stream().map(WordVectors.Neighbour::word).toList());

        // Tags: a, b, d are x; c is y. Nearest of a is b (x, agree), of c is b (x, disagree), of d is c (y, disagree).
        WordVectors.Agreement agreement = wv.tagAgreement(List.of("a", "c", "d"), w -> w.equals("c") ? "y" : "x", 1);
        assertEquals(1 / 3.0, agreement.rate(), 1e-12);
        // Random neighbours of an x word (3 others: two x, one y) agree 2/3 of the time; of the y word, 0/3.
        assertEquals((2 / 3.0 + 0 + 2 / 3.0) / 3, agreement.randomRate(), 1e-12);

        assertTrue(wv.contains("a") && !wv.contains("zebra") && !wv.contains(Vocabulary.UNK) && !wv.contains(Vocabulary.PAD));
        var e = assertThrows(IllegalArgumentException.class, () -> wv.nearest("zebra", 1));
        assertEquals("WordVectors: 'zebra' is not in the vocabulary of 6 words", e.getMessage());
        Path file = dir.resolve("vectors.safetensors");
        wv.save(file);
        WordVectors loaded = WordVectors.load(file);
        assertEquals(wv.cosine("a", "d"), loaded.cosine("a", "d"), 1e-7);
        assertEquals(v.words(), loaded.vocabulary().words());
    }

    /** Sentences drawn from one of two topics, so that words of a topic share contexts and words of different topics never meet. */
    private static List<int[]> topics(Vocabulary v, int count, long seed) {
        String[][] topics = {{"cat", "dog", "fur", "paw", "pet", "bark"}, {"car", "road", "tyre", "fuel", "lane", "drive"}};
        Generator g = new Generator(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String[] topic = topics[g.nextInt(2)];
            List<String> words = new ArrayList<>();
            for (int j = 0; j < 8; j++) {
                words.add(topic[g.nextInt(topic.length)]);
            }
            out.add(v.encode(words));
        }
        return out;
    }

    @Test
    void learnsVectorsWhoseNeighboursShareATopic() {
        Vocabulary v = Vocabulary.of(List.of(Vocabulary.PAD, Vocabulary.UNK, "cat", "dog", "fur", "paw", "pet", "bark",
                "car", "road", "tyre", "fuel", "lane", "drive"));
        List<int[]> corpus = topics(v, 400, 1);
        var options = new SkipGramTrainer.Options(3, 0, 3, 3, 0, 64, 0.1, 2, 0);
        SkipGram model = new SkipGram(v.size(), 16, new Generator(3));
        SkipGramTrainer.Result result = SkipGramTrainer.train(model, corpus, options, s -> {});
        assertEquals(3, result.epochs());
        assertTrue(result.lastLoss() < 4 * Math.log(2) * 0.9, "loss per pair " + result.lastLoss()
                + " should fall below its starting value (k + 1)·log 2");
        WordVectors wv = new WordVectors(v, model.vectors());
        List<String> animals = List.of("cat", "dog", "fur", "paw", "pet", "bark");
        WordVectors.Agreement a = wv.tagAgreement(v.words().subList(2, v.size()), w -> animals.contains(w) ? "A" : "B", 3);
        assertEquals(5 / 11.0, a.randomRate(), 1e-12);
        assertTrue(a.rate() > 0.9, "topic agreement " + a);

        SkipGram again = new SkipGram(v.size(), 16, new Generator(3));
        SkipGramTrainer.train(again, corpus, options, s -> {});
        assertArrayEquals(model.vectors().toFloatArray(), again.vectors().toFloatArray(), "same seed, same vectors");
    }
}
