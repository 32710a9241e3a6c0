package dev.nabla.cli;

import dev.nabla.data.Split;
import dev.nabla.train.History;
import dev.nabla.train.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nabla eval}: the test accuracy of a saved model on a dataset's test split. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a saved model on a dataset's test split.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model file written by nabla train --out.")
    Path modelFile;

    @Option(names = "--dataset", defaultValue = "mnist", description = "Dataset name or IDX directory (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--metrics-json", description = "Write the test accuracy to this JSON file.")
    Path metricsJson;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(modelFile)) {
            throw new IllegalArgumentException("model file not found: " + modelFile);
        }
        Model net = Model.load(modelFile);
        Split split = Data.load(dataset);
        int[] expected = net.inputShape();
        int[] actual = {split.test().rows(), split.test().cols()};
        boolean channel = Arrays.equals(expected, new int[] {1, actual[0], actual[1]});
        if (!Arrays.equals(expected, actual) && !channel) {
            throw new IllegalArgumentException("model " + modelFile + " takes inputs of shape " + Arrays.toString(expected)
                    + " but " + dataset + " has images of shape " + Arrays.toString(actual));
        }
        Data.Tensors test = Data.tensors(split.test(), expected);
        int correct = TrainCommand.correctCount(net, test);
        double accuracy = test.count() == 0 ? 0 : (double) correct / test.count();
        if (metricsJson != null) {
            TrainCommand.writeMetrics(metricsJson, accuracy, 0, test.count(), new History());
        }
        System.out.printf(Locale.ROOT, "test accuracy: %.4f (%d/%d)%n", accuracy, correct, test.count());
        return 0;
    }
}
