package dev.nabla.examples;

import dev.nabla.data.Datasets;
import dev.nabla.data.Split;
import dev.nabla.nn.Activation;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.loss.Losses;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.FitOptions;
import dev.nabla.train.Model;
import dev.nabla.train.metrics.Metrics;
import java.util.Locale;

/**
 * The seed's Keras program in Nabla: {@code Sequential([Flatten, Dense(256, relu), Dense(128, relu),
 * Dense(10, softmax)])}, compiled with Adam and categorical cross-entropy on one-hot labels, fitted with the test
 * set as validation data, printing Keras's progress lines.
 */
public final class KerasMnist {
    private KerasMnist() {}

    /** Builds, compiles and fits the seed network; returns the test accuracy. */
    public static double train(Split data, int epochs, long seed, int verbose) {
        Model model = Model.sequential(
                new Flatten(),
                Linear.dense(256, Activation.RELU),
                Linear.dense(128, Activation.RELU),
                Linear.dense(10, Activation.SOFTMAX))
                .build(new Generator(seed), 28, 28);
        model.compile(params -> new Adam(params, 0.001), Losses.categoricalCrossEntropy(), Metrics.accuracy());
        if (verbose > 0) {
            System.out.print(model.summary());
        }

        Tensor xTrain = images(data.train().pixelsAsFloats(), data.train().count());
        Tensor yTrain = Tensor.fromArray(data.train().labelsOneHot(10), data.train().count(), 10); // to_categorical
        Tensor xTest = images(data.test().pixelsAsFloats(), data.test().count());
        Tensor yTest = Tensor.fromArray(data.test().labelsOneHot(10), data.test().count(), 10);

        model.fit(xTrain, yTrain, FitOptions.epochs(epochs).batchSize(32).seed(seed)
                .validationData(xTest, yTest).verbose(verbose));
        return model.evaluate(xTest, yTest, 1000).get("accuracy");
    }

    private static Tensor images(float[] pixels, int count) {
        return Tensor.fromArray(pixels, count, 28, 28);
    }

    /** Arguments: dataset (name or IDX directory, default mnist), epochs (default 10). */
    public static void main(String[] args) throws Exception {
        Split data = Datasets.fromEnvironment().load(args.length > 0 ? args[0] : "mnist");
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        double accuracy = train(data, epochs, 42, 1);
        System.out.printf(Locale.ROOT, "test accuracy: %.4f%n", accuracy);
    }
}
