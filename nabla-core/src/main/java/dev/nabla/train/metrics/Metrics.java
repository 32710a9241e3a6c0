package dev.nabla.train.metrics;

/** Factories for the built-in metrics, named as in Keras. */
public final class Metrics {
    /** The threshold above which a binary probability counts as the positive class. */
    public static final double DEFAULT_THRESHOLD = 0.5;

    private Metrics() {}

    /** Accuracy: argmax for class scores, p &gt; 0.5 for binary probabilities. */
    public static Accuracy accuracy() {
        return new Accuracy(DEFAULT_THRESHOLD);
    }

    /** Accuracy with another binary threshold (0 for binary logits). */
    public static Accuracy accuracy(double threshold) {
        return new Accuracy(checkThreshold("accuracy", threshold));
    }

    /** Top-k accuracy: the true class is among the k highest scores. */
    public static TopKAccuracy topKAccuracy(int k) {
        return new TopKAccuracy(k);
    }

    /** Precision per class, macro-averaged as the result; 2 classes for binary probabilities. */
    public static ClassMetric precision(int numClasses) {
        return new ClassMetric(ClassMetric.Kind.PRECISION, numClasses, DEFAULT_THRESHOLD);
    }

    /** Recall per class, macro-averaged as the result. */
    public static ClassMetric recall(int numClasses) {
        return new ClassMetric(ClassMetric.Kind.RECALL, numClasses, DEFAULT_THRESHOLD);
    }

    /** F1 score per class, macro-averaged as the result. */
    public static ClassMetric f1(int numClasses) {
        return new ClassMetric(ClassMetric.Kind.F1, numClasses, DEFAULT_THRESHOLD);
    }

    /** Precision, recall or F1 with a binary threshold other than 0.5. */
    public static ClassMetric classMetric(ClassMetric.Kind kind, int numClasses, double threshold) {
        if (kind == null) {
            throw new IllegalArgumentException("classMetric: kind must not be null; use PRECISION, RECALL or F1");
        }
        return new ClassMetric(kind, numClasses, checkThreshold(kind.kerasName(), threshold));
    }

    /** A confusion matrix over numClasses classes (2 for binary probabilities). */
    public static ConfusionMatrix confusionMatrix(int numClasses) {
        return new ConfusionMatrix("confusion_matrix", numClasses, DEFAULT_THRESHOLD);
    }

    private static double checkThreshold(String metric, double threshold) {
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException(metric + ": threshold must be finite, got " + threshold);
        }
        return threshold;
    }
}
