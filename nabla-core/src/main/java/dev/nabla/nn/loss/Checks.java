package dev.nabla.nn.loss;

import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;

/** Shape and value checks shared by the losses, so that every error names the loss and what it received. */
final class Checks {
    private Checks() {}

    /**
     * The target as the prediction's dtype and shape, for element-wise losses. Shapes must be equal, except that
     * {@code [N]} and {@code [N, 1]} are accepted together (a model's single output column against a label vector).
     */
    static Tensor sameShape(String loss, Tensor prediction, Tensor target) {
        int[] p = prediction.shape();
        int[] t = target.shape();
        Tensor aligned = target.to(prediction.dtype());
        if (Arrays.equals(p, t)) {
            return aligned;
        }
        if (differByTrailingOne(p, t) || differByTrailingOne(t, p)) {
            return aligned.reshape(p);
        }
        throw new IllegalArgumentException(loss + ": prediction " + Shapes.str(p) + " and target " + Shapes.str(t)
                + " differ in shape; this loss compares them element by element and needs equal shapes");
    }

    private static boolean differByTrailingOne(int[] longer, int[] shorter) {
        return longer.length == shorter.length + 1 && longer[longer.length - 1] == 1
                && Arrays.equals(Arrays.copyOf(longer, shorter.length), shorter);
    }

    /** Checks that the prediction is a batch of class scores {@code [N, C]}. */
    static void classScores(String loss, Tensor prediction, Tensor target) {
        if (prediction.dim() != 2) {
            throw new IllegalArgumentException(loss + ": prediction " + Shapes.str(prediction.shape())
                    + " (target " + Shapes.str(target.shape()) + ") must be [N, C], one row of class scores per sample");
        }
    }

    /** Checks that a distribution target {@code [N, C]} matches the prediction and returns it in its dtype. */
    static Tensor distributions(String loss, Tensor prediction, Tensor target) {
        classScores(loss, prediction, target);
        if (!Arrays.equals(prediction.shape(), target.shape())) {
            throw new IllegalArgumentException(loss + ": prediction " + Shapes.str(prediction.shape()) + " and target "
                    + Shapes.str(target.shape()) + " differ in shape; one-hot or probability targets must be [N, C]"
                    + " like the prediction");
        }
        return target.to(prediction.dtype());
    }

    /**
     * Integer class labels {@code [N]} (held as floating-point values) checked against a prediction {@code [N, C]},
     * returned as a {@code [N, 1]} index for {@link Tensor#gather}.
     */
    static Tensor labels(String loss, Tensor prediction, Tensor target) {
        classScores(loss, prediction, target);
        int n = prediction.size(0);
        int classes = prediction.size(1);
        if (target.dim() != 1 || target.size(0) != n) {
            throw new IllegalArgumentException(loss + ": prediction " + Shapes.str(prediction.shape()) + " and target "
                    + Shapes.str(target.shape()) + " do not fit; integer labels must be [" + n + "], one per row");
        }
        double[] values = target.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v != Math.rint(v) || v < 0 || v >= classes) {
                throw new IllegalArgumentException(loss + ": target label " + v + " at position " + i
                        + " is not an integer class index in [0, " + classes + ") for prediction "
                        + Shapes.str(prediction.shape()));
            }
        }
        return target.detach().reshape(n, 1);
    }

    /** Checks that every prediction is a probability in [0, 1]; logits belong to the "with logits" losses. */
    static void probabilities(String loss, Tensor prediction, String logitsLoss) {
        double[] values = prediction.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0 && values[i] <= 1)) {
                throw new IllegalArgumentException(loss + ": prediction " + Shapes.str(prediction.shape()) + " holds "
                        + values[i] + " at flat position " + i + ", not a probability in [0, 1]; for logits use "
                        + logitsLoss);
            }
        }
    }

    /** Per-sample losses {@code [N]} from element-wise losses: the mean over all but the first dimension. */
    static Tensor perSample(Tensor elementwise) {
        if (elementwise.dim() <= 1) {
            return elementwise;
        }
        int[] rest = new int[elementwise.dim() - 1];
        for (int i = 0; i < rest.length; i++) {
            rest[i] = i + 1;
        }
        return elementwise.mean(rest, false);
    }
}
