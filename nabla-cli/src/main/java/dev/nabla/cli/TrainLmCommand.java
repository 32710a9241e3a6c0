package dev.nabla.cli;

import dev.nabla.tensor.Generator;
import dev.nabla.text.CharTokenizer;
import dev.nabla.text.Fortunes;
import dev.nabla.text.LanguageModel;
import dev.nabla.text.LanguageModelTrainer;
import dev.nabla.text.Sampler;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nabla train-lm}: a character-level language model on Debian's fortunes, with held-out bits per character. */
@Command(name = "train-lm", mixinStandardHelpOptions = true,
        description = {"Train a character-level language model (LSTM or decoder-only Transformer) on Debian's fortunes"
                + " files (apt-get install -y fortunes): the first 90%% of the characters train, the last 10%% are held"
                + " out. Prints the unigram baseline and the held-out loss in bits per character, then samples.",
                "Example: nabla train-lm --arch lstm --seconds 90 --out lstm.safetensors"})
final class TrainLmCommand implements Callable<Integer> {
    @Option(names = "--arch", defaultValue = "lstm", description = "lstm or transformer (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--dir", description = "Directory of fortune files (default: /usr/share/games/fortunes).")
    Path dir = Fortunes.DEFAULT_DIR;

    @Option(names = "--files", split = ",", description = "Fortune files to use, comma-separated (default: all).")
    List<String> files = List.of();

    @Option(names = "--dim", defaultValue = "64", description = "Embedding (and Transformer model) width (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--hidden", defaultValue = "256", description = "LSTM hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "1", description = "LSTM layers or Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Transformer attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--context", defaultValue = "64", description = "TBPTT chunk (LSTM) or attention window (Transformer) (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.003", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--clip", defaultValue = "1.0", description = "Gradient clipping by global norm (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--steps", defaultValue = "100000", description = "At most this many steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seconds", defaultValue = "60", description = "Stop training after this many seconds (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--eval-chars", defaultValue = "0", description = "Score only the first N held-out characters (0: all).")
    int evalChars;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--prompt", defaultValue = "The ", description = "Start of the samples printed at the end (default: '${DEFAULT-VALUE}').")
    String prompt;

    @Option(names = "--samples", defaultValue = "3", description = "Samples printed at the end (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--out", description = "Save the model here (for nabla generate).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Fortunes.Split split = Fortunes.load(dir, files);
        CharTokenizer tokenizer = CharTokenizer.fromText(split.train() + split.heldOut());
        int[] train = tokenizer.encode(split.train());
        int[] heldOut = tokenizer.encode(split.heldOut());
        if (evalChars > 0 && evalChars < heldOut.length) {
            heldOut = Arrays.copyOf(heldOut, evalChars);
        }
        System.out.printf(Locale.ROOT, "corpus: %d fortune files, %d train / %d held-out characters, %d symbols%n",
                split.files().size(), train.length, heldOut.length, tokenizer.size());
        double unigram = LanguageModelTrainer.unigramLoss(train, heldOut, tokenizer.size());
        System.out.printf(Locale.ROOT, "unigram baseline: %.4f nats = %.3f bits/char%n", unigram, unigram / Math.log(2));
        Generator g = new Generator(seed);
        LanguageModel model = switch (arch) {
            case "lstm" -> LanguageModel.lstm(tokenizer, dim, hidden, layers, context, g);
            case "transformer" -> LanguageModel.transformer(tokenizer, dim, heads, layers, context, g);
            default -> throw new IllegalArgumentException("--arch must be lstm or transformer, got " + arch);
        };
        System.out.printf(Locale.ROOT, "%s: %d parameters%n", arch, model.network().parameterCount());
        var options = new LanguageModelTrainer.Options(steps, seconds, batch, lr, clip, seed, 50);
        var result = LanguageModelTrainer.train(model, train, options, System.out::println);
        System.out.printf(Locale.ROOT, "trained %d steps in %.1fs (%.0f chars/s)%n", result.steps(), result.seconds(),
                result.steps() * (double) batch * context / result.seconds());
        long t0 = System.nanoTime();
        double loss = LanguageModelTrainer.evaluate(model, heldOut, 16);
        System.out.printf(Locale.ROOT, "held-out: %.4f nats = %.3f bits/char (unigram %.3f) [%.1fs]%n", loss,
                loss / Math.log(2), unigram / Math.log(2), (System.nanoTime() - t0) / 1e9);
        if (out != null) {
            model.save(out);
            System.out.println("saved " + out);
        }
        Generator sg = new Generator(seed);
        StringBuilder known = new StringBuilder();
        prompt.codePoints().filter(tokenizer::contains).forEach(known::appendCodePoint);
        for (int i = 0; i < samples; i++) {
            System.out.println("--- sample " + (i + 1) + " (temperature 0.8, top-k 10):");
            System.out.println(model.generate(known.toString(), 200, new Sampler(0.8, 10), sg));
        }
        return 0;
    }
}
