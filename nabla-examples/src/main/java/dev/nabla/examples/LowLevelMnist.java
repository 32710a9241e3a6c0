package dev.nabla.examples;

import dev.nabla.autograd.GradMode;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Datasets;
import dev.nabla.data.LabeledImages;
import dev.nabla.data.Split;
import dev.nabla.nn.loss.Loss;
import dev.nabla.nn.loss.Losses;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The seed's low-level TensorFlow program (its section 5.2) in Nabla: weights as tensors that require gradients,
 * {@code matmul} and {@code relu}, softmax cross-entropy on logits, a gradient-descent optimizer that minimises it,
 * and accuracy by argmax, equal and mean.
 *
 * <pre>
 * ./mvnw -q -pl nabla-examples -am package -DskipTests
 * java --add-modules=jdk.incubator.vector -cp nabla-core/target/classes:nabla-examples/target/classes \
 *     dev.nabla.examples.LowLevelMnist mnist 10
 * </pre>
 */
public final class LowLevelMnist {
    private LowLevelMnist() {}

    /** Trains the 784-256-128-10 network with gradient descent; returns the test accuracy. */
    public static double train(Split data, int epochs, double learningRate, long seed, PrintStream log) {
        Generator gen = new Generator(seed);
        // W = tf.Variable(tf.random_normal([784, 256])): the seed draws N(0, 1); we scale by √(2/fanIn) (He), since
        // N(0, 1) weights make the ReLU activations grow ~16× per layer and gradient descent at 0.01 diverge.
        Tensor w1 = Tensor.normal(gen, 0, Math.sqrt(2.0 / 784), 784, 256).requiresGrad(true);
        Tensor b1 = Tensor.zeros(256).requiresGrad(true);
        Tensor w2 = Tensor.normal(gen, 0, Math.sqrt(2.0 / 256), 256, 128).requiresGrad(true);
        Tensor b2 = Tensor.zeros(128).requiresGrad(true);
        Tensor w3 = Tensor.normal(gen, 0, Math.sqrt(2.0 / 128), 128, 10).requiresGrad(true);
        Tensor b3 = Tensor.zeros(10).requiresGrad(true);
        // optimizer = tf.train.GradientDescentOptimizer(learning_rate)
        Optimizer optimizer = new SGD(List.of(w1, b1, w2, b2, w3, b3), learningRate);
        // cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=y_pred, labels=y))
        Loss crossEntropy = Losses.softmaxCrossEntropy();

        Tensor[] train = flatOneHot(data.train());
        Tensor[] test = flatOneHot(data.test());
        DataLoader batches = DataLoader.of(train[0], train[1]).batchSize(32).shuffle(seed).build();
        for (int epoch = 0; epoch < epochs; epoch++) {
            double lossSum = 0;
            for (DataLoader.Batch batch : batches.epoch(epoch)) {
                Tensor x = batch.x();
                Tensor h1 = x.matmul(w1).add(b1).relu();
                Tensor h2 = h1.matmul(w2).add(b2).relu();
                Tensor yPred = h2.matmul(w3).add(b3);
                Tensor loss = crossEntropy.apply(yPred, batch.y());
                optimizer.minimize(loss); // train_op = optimizer.minimize(cross_entropy)
                lossSum += loss.item();
            }
            double accuracy = accuracy(test[0], test[1], w1, b1, w2, b2, w3, b3);
            log.printf(Locale.ROOT, "epoch %d: loss %.4f, test accuracy %.4f%n", epoch + 1,
                    lossSum / batches.batches(), accuracy);
        }
        return accuracy(test[0], test[1], w1, b1, w2, b2, w3, b3);
    }

    /** correct_pred = tf.equal(tf.argmax(y_pred, 1), tf.argmax(y, 1)); accuracy = tf.reduce_mean(tf.cast(...)). */
    static double accuracy(Tensor x, Tensor y, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor w3, Tensor b3) {
        try (var scope = GradMode.noGrad()) {
            Tensor yPred = x.matmul(w1).add(b1).relu().matmul(w2).add(b2).relu().matmul(w3).add(b3);
            Tensor correctPred = yPred.argmax(1, false).eq(y.argmax(1, false));
            return correctPred.mean().item();
        }
    }

    /** Images flattened to [N, 784] in [0, 1], labels one-hot [N, 10] (Keras's to_categorical). */
    static Tensor[] flatOneHot(LabeledImages images) {
        Tensor x = Tensor.fromArray(images.pixelsAsFloats(), images.count(), images.rows() * images.cols());
        Tensor y = Tensor.fromArray(images.labelsOneHot(10), images.count(), 10);
        return new Tensor[] {x, y};
    }

    /** Arguments: dataset (name or IDX directory, default mnist), epochs (default 10), learning rate (0.01). */
    public static void main(String[] args) throws Exception {
        Split data = Datasets.fromEnvironment().load(args.length > 0 ? args[0] : "mnist");
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        double lr = args.length > 2 ? Double.parseDouble(args[2]) : 0.01;
        double accuracy = train(data, epochs, lr, 42, System.out);
        System.out.printf(Locale.ROOT, "test accuracy: %.4f%n", accuracy);
    }
}
