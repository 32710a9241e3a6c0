package dev.nabla.cli;

import dev.nabla.nn.Activation;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.optim.Adagrad;
import dev.nabla.optim.Adam;
import dev.nabla.optim.LearningRateSchedule;
import dev.nabla.optim.AdamW;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.RMSProp;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Model;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The networks and optimizers the command line knows by name. */
final class Networks {
    private Networks() {}

    /**
     * The seed's network: 784-256-128-10 with ReLU. The softmax of its output layer is fused into the loss
     * (softmax cross-entropy on logits, as in the seed's low-level program), and applied by {@code predict}.
     */
    static Model mlp() {
        return Model.sequential(new Flatten(), Linear.dense(256, Activation.RELU), Linear.dense(128, Activation.RELU),
                Linear.dense(10));
    }

    /**
     * The convolutional network of issue 5, for {@code [1, 28, 28]} images: Conv(32, 3×3, same)-ReLU-MaxPool(2) →
     * Conv(64, 3×3, same)-ReLU-MaxPool(2) → Flatten → Dense(128)-ReLU → Dropout(0.5) → Dense(10).
     */
    static Model cnn() {
        return Model.sequential(Conv2d.of(32, 3, "same", Activation.RELU), new MaxPool2d(2),
                Conv2d.of(64, 3, "same", Activation.RELU), new MaxPool2d(2), new Flatten(),
                Linear.dense(128, Activation.RELU), new Dropout(0.5), Linear.dense(10));
    }

    static Model byName(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "mlp":
                return mlp();
            case "cnn":
                return cnn();
            default:
                throw new IllegalArgumentException("unknown model '" + name + "'; known: mlp, cnn");
        }
    }

    /** The input shape of a named network for images of {@code rows × cols}: one channel for the CNN. */
    static int[] inputShape(String name, int rows, int cols) {
        return name.equalsIgnoreCase("cnn") ? new int[] {1, rows, cols} : new int[] {rows, cols};
    }

    /** The default learning rate of each optimizer: Keras's for Adam (0.001), the seed's for SGD (0.01). */
    static double defaultLearningRate(String optimizer) {
        return optimizer.equalsIgnoreCase("sgd") ? 0.01 : optimizer.equalsIgnoreCase("adagrad") ? 0.01 : 0.001;
    }

    /** The learning rate per epoch: cosine decay from {@code rate} to 0 over the epochs, or constant. */
    static LearningRateSchedule schedule(String name, double rate, int epochs) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "cosine":
                return LearningRateSchedule.cosine(rate, 0, Math.max(epochs, 1));
            case "constant":
                return LearningRateSchedule.constant(rate);
            default:
                throw new IllegalArgumentException("unknown schedule '" + name + "'; known: cosine, constant");
        }
    }

    static Function<List<Tensor>, Optimizer> optimizer(String name, double lr) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "sgd":
                return p -> new SGD(p, lr);
            case "momentum":
                return p -> new SGD(p, lr, 0.9);
            case "adam":
                return p -> new Adam(p, lr);
            case "adamw":
                return p -> new AdamW(p, lr);
            case "rmsprop":
                return p -> new RMSProp(p, lr);
            case "adagrad":
                return p -> new Adagrad(p, lr);
            default:
                throw new IllegalArgumentException("unknown optimizer '" + name
                        + "'; known: sgd, momentum, adam, adamw, rmsprop, adagrad");
        }
    }
}
