package dev.nabla.examples;

import dev.nabla.data.Datasets;
import dev.nabla.data.LabeledImages;
import dev.nabla.data.Split;
import dev.nabla.nn.Activation;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.loss.Losses;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.FitOptions;
import dev.nabla.train.Model;
import dev.nabla.train.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The seed's vanishing-gradient point, made visible: a 10-layer sigmoid MLP on Fashion-MNIST, trained with and
 * without BatchNorm. Prints each layer's weight-gradient norm on the first batch (without BatchNorm they shrink
 * layer by layer towards the input) and the test accuracy after training.
 *
 * <pre>java --add-modules=jdk.incubator.vector -cp nabla-core/target/classes:nabla-examples/target/classes \
 *     dev.nabla.examples.DeepSigmoidBatchNorm fashion-mnist 5</pre>
 */
public final class DeepSigmoidBatchNorm {
    private static final int DEPTH = 10;
    private static final int WIDTH = 128;

    private DeepSigmoidBatchNorm() {}

    /** The outcome of one variant: first-batch gradient norms per layer (input side first) and test accuracy. */
    public record Result(boolean batchNorm, double[] gradientNorms, double testAccuracy) {}

    static Model network(boolean batchNorm, long seed) {
        List<Module> layers = new ArrayList<>();
        layers.add(new Flatten());
        for (int i = 0; i < DEPTH - 1; i++) {
            layers.add(Linear.dense(WIDTH));
            if (batchNorm) {
                layers.add(new BatchNorm1d(WIDTH));
            }
            layers.add(new Sigmoid());
        }
        layers.add(Linear.dense(10, Activation.LINEAR));
        return Model.sequential(layers.toArray(Module[]::new)).build(new Generator(seed), 28, 28);
    }

    /** Trains one variant for {@code epochs} epochs (Adam 0.001, batch 64) and reports it. */
    public static Result run(Split data, boolean batchNorm, int epochs, long seed, int verbose) {
        Model model = network(batchNorm, seed);
        model.compile(p -> new Adam(p, 0.001), Losses.softmaxCrossEntropy(), Metrics.accuracy());
        Tensor[] train = tensors(data.train());
        Tensor[] test = tensors(data.test());

        Tensor loss = model.loss().apply(model.forward(train[0].narrow(0, 0, 64)), train[1].narrow(0, 0, 64));
        loss.backward();
        List<Double> norms = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : model.network().namedParameters().entrySet()) {
            if (e.getKey().endsWith(".weight") && e.getValue().dim() == 2) {
                norms.add(Math.sqrt(e.getValue().grad().square().sum().item()));
            }
        }
        model.network().zeroGrad();

        model.fit(train[0], train[1], FitOptions.epochs(epochs).batchSize(64).seed(seed).verbose(verbose));
        double accuracy = model.evaluate(test[0], test[1], 1000).get("accuracy");
        return new Result(batchNorm, norms.stream().mapToDouble(Double::doubleValue).toArray(), accuracy);
    }

    private static Tensor[] tensors(LabeledImages images) {
        float[] labels = new float[images.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = images.labels()[i];
        }
        return new Tensor[] {Tensor.wrap(images.pixelsAsFloats(), images.count(), 28, 28),
            Tensor.fromArray(labels, labels.length)};
    }

    /** Arguments: dataset (default fashion-mnist), epochs (default 5). */
    public static void main(String[] args) throws Exception {
        Split data = Datasets.fromEnvironment().load(args.length > 0 ? args[0] : "fashion-mnist");
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (boolean bn : new boolean[] {false, true}) {
            Result r = run(data, bn, epochs, 42, 1);
            System.out.printf(Locale.ROOT, "%s: test accuracy %.4f%n", bn ? "with BatchNorm" : "without BatchNorm",
                    r.testAccuracy());
            StringBuilder sb = new StringBuilder("  first-batch weight-gradient norm per layer (input → output):");
            for (double n : r.gradientNorms()) {
                sb.append(String.format(Locale.ROOT, " %.2e", n));
            }
            System.out.println(sb);
        }
    }
}
