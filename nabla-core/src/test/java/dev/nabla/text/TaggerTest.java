package dev.nabla.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Word features, the most-frequent-tag baseline, accuracy counting, and the BiLSTM tagger on a synthetic language. */
class TaggerTest {
    private static BrownCorpus.Sentence sentence(String tagged) {
        List<String> words = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        for (String token : tagged.split(" ")) {
            int slash = token.lastIndexOf('/');
            words.add(token.substring(0, slash));
            tags.add(token.substring(slash + 1));
        }
        return new BrownCorpus.Sentence(words, tags);
    }

    @Test
    void wordShapes() {
        String[][] cases = {{"dog", "LOWER"}, {"well-known", "LOWER"}, {"Fulton", "CAPITALIZED"}, {"A", "CAPITALIZED"},
            {"FBI", "UPPER"}, {"U.S.", "UPPER"}, {"1961", "NUMBER"}, {"3rd", "NUMBER"}, {",", "PUNCTUATION"},
            {"``", "PUNCTUATION"}, {"eBay", "MIXED"}, {"o'Clock", "MIXED"}};
        for (String[] c : cases) {
            assertEquals(WordShape.valueOf(c[1]), WordShape.of(c[0]), c[0]);
        }
    }

    @Test
    void featuresAreLowerCasedWordSuffixAndShapeWithRareOnesUnknown() {
        WordFeatures f = WordFeatures.build(List.of(List.of("The", "dog", "runs"), List.of("the", "Dog", "ran")), 2);
        assertEquals(List.of(Vocabulary.PAD, Vocabulary.UNK, "the", "dog"), f.words().words());
        assertEquals(List.of(Vocabulary.PAD, Vocabulary.UNK, "the", "dog"), f.suffixes().words());
        assertEquals("ing", WordFeatures.suffix("Running"));
        assertEquals("at", WordFeatures.suffix("AT"));
        int[][] ids = f.encode(List.of("DOG", "the", "cat", "Sing"));
        assertArrayEquals(new int[] {3, 2, Vocabulary.UNK_ID, Vocabulary.UNK_ID}, ids[0]);
        assertArrayEquals(new int[] {3, 2, Vocabulary.UNK_ID, Vocabulary.UNK_ID}, ids[1]);
        assertArrayEquals(new int[] {1 + WordShape.UPPER.ordinal(), 1 + WordShape.LOWER.ordinal(),
            1 + WordShape.LOWER.ordinal(), 1 + WordShape.CAPITALIZED.ordinal()}, ids[2]);
    }

    @Test
    void baselineTagsEachWordWithItsMostFrequentTag() {
        List<BrownCorpus.Sentence> train = List.of(sentence("the/at run/nn was/bedz long/jj"),
                sentence("they/ppss run/vb fast/rb"), sentence("we/ppss run/vb home/nr"),
                sentence("a/at walk/nn or/cc walk/vb"), sentence("the/at dog/nn and/cc cat/nn"));
        MostFrequentTag b = MostFrequentTag.train(train);
        // run: vb 2, nn 1; walk: a tie between nn and vb, won by nn, the more frequent tag overall (4 against 3).
        assertEquals(List.of("vb", "nn", "at", "nn"), b.tag(List.of("run", "walk", "the", "zebra")));
        assertEquals("nn", b.fallback());
        assertTrue(b.knows("run"));
        assertTrue(!b.knows("Run"));
        assertThrows(IllegalArgumentException.class, () -> MostFrequentTag.train(List.of()));
    }

    @Test
    void accuracyCountsKnownAndUnknownWords() {
        List<BrownCorpus.Sentence> gold = List.of(sentence("a/at b/nn c/vb"), sentence("d/np"));
        TagAccuracy acc = TagAccuracy.of(gold, List.of(List.of("at", "vb", "vb"), List.of("nn")),
                w -> w.equals("a") || w.equals("b"));
        assertEquals(new TagAccuracy(2, 4, 1, 2), acc);
        assertEquals(0.5, acc.accuracy());
        assertEquals(0.5, acc.knownAccuracy());
        assertEquals(0.5, acc.unknownAccuracy());
        assertThrows(IllegalArgumentException.class, () -> TagAccuracy.of(gold, List.of(List.of("at")), w -> true));
    }

    /**
     * A language where a word's tag depends on its neighbours: "watch", "fly", "cook" and "run" are nouns after a
     * determiner and verbs after a noun, so a tagger that reads context beats the baseline, which must pick one tag
     * per word. Names (capitalised, unseen in training for half of them) are np.
     */
    private static List<BrownCorpus.Sentence> synthetic(int count, long seed, String[] names) {
        String[] dets = {"the", "a", "every"};
        String[] nouns = {"dog", "cat", "bird", "man"};
        String[] both = {"watch", "fly", "cook", "run"};
        Generator g = new Generator(seed);
        List<BrownCorpus.Sentence> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder();
            boolean subjectIsName = g.nextInt(3) == 0;
            sb.append(subjectIsName ? names[g.nextInt(names.length)] + "/np " : dets[g.nextInt(3)] + "/at "
                    + pick(g, nouns, both) + "/nn ");
            sb.append(both[g.nextInt(both.length)]).append("/vb ");
            sb.append(dets[g.nextInt(3)]).append("/at ").append(pick(g, nouns, both)).append("/nn ./.");
            out.add(sentence(sb.toString()));
        }
        return out;
    }

    private static String pick(Generator g, String[] nouns, String[] both) {
        return g.nextInt(3) == 0 ? both[g.nextInt(both.length)] : nouns[g.nextInt(nouns.length)];
    }

    @Test
    void biLstmTaggerLearnsContextAndBeatsTheBaseline(@TempDir Path dir) throws IOException {
        List<BrownCorpus.Sentence> train = synthetic(300, 1, new String[] {"John", "Mary", "Ann"});
        List<BrownCorpus.Sentence> test = synthetic(100, 2, new String[] {"John", "Peter", "Sue"});
        MostFrequentTag baseline = MostFrequentTag.train(train);
        TagAccuracy base = TagAccuracy.of(test, test.stream().map(s -> baseline.tag(s.words())).toList(),
                baseline::knows);

        PosTagger tagger = PosTagger.create(train, 1, 16, 16, 0.1, new Generator(3));
        var options = new TaggerTrainer.Options(4, 0, 16, 0.01, 5, 4, 0);
        List<String> log = new ArrayList<>();
        TaggerTrainer.Result result = TaggerTrainer.train(tagger, train, test.subList(0, 20), options, log::add);
        assertEquals(4, result.epochs());
        assertEquals(4 * 19, result.steps());
        assertEquals(4, result.devAccuracy().size());
        assertEquals(4, log.size());
        TagAccuracy acc = TaggerTrainer.evaluate(tagger, test, baseline::knows, 16);

        assertTrue(base.accuracy() < 0.9, "baseline " + base);
        assertTrue(acc.accuracy() > base.accuracy() + 0.08, "tagger " + acc + " against baseline " + base);
        assertTrue(acc.unknownAccuracy() > 0.9, "unseen names: " + acc);

        Path file = dir.resolve("tagger.safetensors");
        tagger.save(file);
        PosTagger loaded = PosTagger.load(file);
        List<List<String>> words = test.stream().map(BrownCorpus.Sentence::words).toList();
        assertEquals(tagger.tag(words, 7), loaded.tag(words, 7));
        assertEquals(tagger.tags(), loaded.tags());
    }

    @Test
    void trainingIsReproducibleForAFixedSeed() {
        List<BrownCorpus.Sentence> train = synthetic(40, 5, new String[] {"Ann"});
        Map<String, Tensor> first = trainTiny(train, 9);
        Map<String, Tensor> second = trainTiny(train, 9);
        Map<String, Tensor> other = trainTiny(train, 10);
        boolean differs = false;
        for (String name : first.keySet()) {
            assertArrayEquals(first.get(name).toFloatArray(), second.get(name).toFloatArray(), name);
            differs |= !java.util.Arrays.equals(first.get(name).toFloatArray(), other.get(name).toFloatArray());
        }
        assertTrue(differs, "another seed should give other weights");
    }

    private static Map<String, Tensor> trainTiny(List<BrownCorpus.Sentence> train, long seed) {
        PosTagger tagger = PosTagger.create(train, 1, 8, 8, 0.2, new Generator(seed));
        TaggerTrainer.train(tagger, train, List.of(), new TaggerTrainer.Options(2, 0, 8, 0.01, 5, seed, 0), s -> {});
        return tagger.network().stateDict();
    }

    @Test
    void scoresOnlyRealPositionsAndMatchesTheUnpaddedSentence() {
        List<BrownCorpus.Sentence> train = synthetic(20, 7, new String[] {"Ann"});
        PosTagger tagger = PosTagger.create(train, 1, 8, 8, 0, new Generator(1));
        tagger.network().eval();
        List<int[][]> encoded = tagger.encode(List.of(List.of("the", "dog", "run", "a", "cat", "."), List.of("Ann", "fly")));
        PosTagger.Inputs both = PosTagger.batch(encoded, new int[] {0, 1});
        assertArrayEquals(new int[] {2, 6, 3}, both.ids().shape());
        assertArrayEquals(new int[] {6, 2}, both.lengths());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, both.positions());
        Tensor batched = tagger.network().scores(both.ids(), both.lengths(), both.positions());
        PosTagger.Inputs alone = PosTagger.batch(encoded, new int[] {1});
        Tensor single = tagger.network().scores(alone.ids(), alone.lengths(), alone.positions());
        float[] b = batched.toFloatArray();
        float[] s = single.toFloatArray();
        int c = tagger.tags().size();
        for (int i = 0; i < 2 * c; i++) {
            assertEquals(s[i], b[6 * c + i], 1e-5, "padding must not change the short sentence's scores");
        }
        Tensor whole = tagger.network().forward(alone.ids());
        assertArrayEquals(new int[] {1, 2, c}, whole.shape());
        assertArrayEquals(s, whole.toFloatArray(), 1e-6f);
        var e = assertThrows(IllegalArgumentException.class, () -> tagger.tagIds(List.of("at", "zz")));
        assertEquals("PosTagger: tag 'zz' is not among the " + c + " tags of this tagger", e.getMessage());
    }
}
