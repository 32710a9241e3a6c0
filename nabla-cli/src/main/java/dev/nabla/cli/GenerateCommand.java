package dev.nabla.cli;

import dev.nabla.tensor.Generator;
import dev.nabla.text.LanguageModel;
import dev.nabla.text.Sampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nabla generate}: text sampled from a language model saved by {@code nabla train-lm --out}. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Sample text from a character-level language model file written by nabla train-lm --out"
                + " (train one first, e.g. nabla train-lm --arch lstm --seconds 90 --out lstm.safetensors).",
                "Each character is drawn from softmax(logits / temperature) over the top-k most likely characters."})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Language model file from nabla train-lm --out.")
    Path modelFile;

    @Option(names = "--prompt", defaultValue = "The ", description = "Text to continue (default: '${DEFAULT-VALUE}').")
    String prompt;

    @Option(names = "--length", defaultValue = "300", description = "Characters to generate (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--temperature", defaultValue = "0.8", description = "0 picks the most likely character; higher is more varied (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "10", description = "Sample among the k most likely characters; 0: all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(modelFile)) {
            throw new IllegalArgumentException("model file not found: " + modelFile);
        }
        LanguageModel model = LanguageModel.load(modelFile);
        StringBuilder unknown = new StringBuilder();
        prompt.codePoints().filter(cp -> !model.tokenizer().contains(cp)).forEach(unknown::appendCodePoint);
        if (unknown.length() > 0) {
            throw new IllegalArgumentException("--prompt has characters the model never saw: '" + unknown + "'");
        }
        System.out.println(model.generate(prompt, length, new Sampler(temperature, topK), new Generator(seed)));
        return 0;
    }
}
