package dev.nabla.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.Recurrent;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizers, vocabulary, batching, sampling, and a small language model that learns, saves and generates. */
class TextTest {
    @Test
    void charTokenizerRoundTripsAndNamesUnknownCharacters() {
        CharTokenizer tok = CharTokenizer.fromText("hello, world");
        assertEquals(" ,dehlorw", tok.alphabet());
        assertEquals("low", tok.decode(tok.encode("low")));
        assertEquals(tok, new CharTokenizer(tok.alphabet()));
        var e = assertThrows(IllegalArgumentException.class, () -> tok.encode("hex"));
        assertEquals("CharTokenizer: character 'x' (U+0078) is not in the alphabet of 9 characters", e.getMessage());
    }

    @Test
    void vocabularyKeepsFrequentWordsAndMapsTheRestToUnknown() {
        Vocabulary v = Vocabulary.build(List.of("the", "cat", "the", "dog", "cat", "the", "emu"), 2);
        assertEquals(List.of(Vocabulary.PAD, Vocabulary.UNK, "the", "cat"), v.words());
        assertArrayEquals(new int[] {2, 3, Vocabulary.UNK_ID, Vocabulary.UNK_ID}, v.encode(List.of("the", "cat", "dog", "zebra")));
        assertEquals(v.words(), Vocabulary.of(v.words()).words());
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.build(List.of("a"), 0));
    }

    @Test
    void batchesArePaddedAndBucketedByLength() {
        List<int[]> seqs = new ArrayList<>();
        Generator g = new Generator(1);
        for (int i = 0; i < 200; i++) {
            int[] s = new int[1 + g.nextInt(30)];
            java.util.Arrays.fill(s, i + 1);
            seqs.add(s);
        }
        SequenceBatcher plain = new SequenceBatcher(8, 0, false);
        SequenceBatcher bucketed = new SequenceBatcher(8, 0, true);
        List<SequenceBatcher.Batch> a = plain.batches(seqs, new Generator(2));
        List<SequenceBatcher.Batch> b = bucketed.batches(seqs, new Generator(2));
        Set<Integer> seen = new HashSet<>();
        for (SequenceBatcher.Batch batch : b) {
            for (int r = 0; r < batch.indices().length; r++) {
                assertTrue(seen.add(batch.indices()[r]));
                int[] s = seqs.get(batch.indices()[r]);
                assertEquals(s.length, batch.lengths()[r]);
                for (int t = 0; t < batch.ids().size(1); t++) {
                    assertEquals(t < s.length ? s[t] : 0, batch.ids().get(r, t));
                }
            }
        }
        assertEquals(200, seen.size());
        double fillPlain = a.stream().mapToDouble(SequenceBatcher.Batch::fill).average().orElseThrow();
        double fillBucketed = b.stream().mapToDouble(SequenceBatcher.Batch::fill).average().orElseThrow();
        assertTrue(fillBucketed > 0.9 && fillBucketed > fillPlain + 0.2, fillPlain + " vs " + fillBucketed);
    }

    @Test
    void samplerHonoursTemperatureAndTopK() {
        double[] logits = {0, 3, 1, 2.5};
        assertEquals(1, new Sampler(0, 0).sample(logits, new Generator(1)));
        Generator g = new Generator(2);
        int[] counts = new int[4];
        for (int i = 0; i < 4000; i++) {
            counts[new Sampler(1, 2).sample(logits, g)]++;
        }
        assertEquals(0, counts[0] + counts[2]);
        double expected = 1 / (1 + Math.exp(-0.5));  // p(1) among {1, 3}
        assertEquals(expected, counts[1] / 4000.0, 0.03);
        int[] hot = new int[4];
        for (int i = 0; i < 4000; i++) {
            hot[new Sampler(100, 0).sample(logits, g)]++;
        }
        for (int c : hot) {
            assertTrue(c > 800, "high temperature is near uniform: " + java.util.Arrays.toString(hot));
        }
        assertEquals(new Sampler(0.7, 3).sample(logits, new Generator(9)), new Sampler(0.7, 3).sample(logits, new Generator(9)));
    }

    @Test
    void languageModelsLearnARepeatingTextSaveAndGenerate(@TempDir Path dir) throws Exception {
        String text = "abcabdabcabd".repeat(40);
        CharTokenizer tok = CharTokenizer.fromText(text);
        int[] ids = tok.encode(text);
        double unigram = LanguageModelTrainer.unigramLoss(ids, ids, tok.size());
        for (LanguageModel model : List.of(LanguageModel.lstm(tok, 8, 16, 1, 12, new Generator(1)),
                LanguageModel.transformer(tok, 16, 2, 1, 12, new Generator(1)))) {
            var options = new LanguageModelTrainer.Options(150, 0, 8, 0.01, 1.0, 3, 1000);
            LanguageModelTrainer.train(model, ids, options, line -> {});
            double loss = LanguageModelTrainer.evaluate(model, ids, 4);
            assertTrue(loss < unigram / 3, model.isRecurrent() + ": " + loss + " vs unigram " + unigram);
            Path file = dir.resolve(model.isRecurrent() ? "lstm.safetensors" : "gpt.safetensors");
            model.save(file);
            LanguageModel back = LanguageModel.load(file);
            assertEquals(tok, back.tokenizer());
            assertEquals(loss, LanguageModelTrainer.evaluate(back, ids, 4), 1e-9);
            String sample = back.generate("abcab", 12, new Sampler(0, 0), new Generator(1));
            assertEquals("abcab" + "dabcabdabcab", sample);
        }
        assertThrows(Exception.class, () -> LanguageModel.load(Files.writeString(dir.resolve("x"), "nope")));
    }

    @Test
    void truncatedStateCarriesValuesButNoGraph() {
        CharTokenizer tok = CharTokenizer.fromText("ab");
        LanguageModel lm = LanguageModel.lstm(tok, 4, 5, 2, 3, new Generator(1));
        LanguageModel.Step step = lm.forward(Tensor.fromArray(new float[] {0, 1, 0}, 1, 3), null);
        Recurrent.State s = new Recurrent.State(step.state().h().detach(), step.state().c().detach());
        assertArrayEquals(new int[] {2, 1, 5}, s.h().shape());
        assertTrue(!s.h().requiresGrad() && s.h().gradFn() == null);
        LanguageModel.Step next = lm.forward(Tensor.fromArray(new float[] {1}, 1, 1), s);
        LanguageModel.Step whole = lm.forward(Tensor.fromArray(new float[] {0, 1, 0, 1}, 1, 4), null);
        assertArrayEquals(whole.logits().select(1, 3).contiguous().toFloatArray(),
                next.logits().select(1, 0).contiguous().toFloatArray(), 1e-6f);
    }
}
