package dev.nabla.io.tensorboard;

import dev.nabla.tensor.Tensor;

/**
 * A histogram as TensorBoard's {@code HistogramProto} holds it: summary statistics and buckets, where bucket
 * {@code i} counts the values in {@code (bucketLimits[i-1], bucketLimits[i]]} (the first from {@code min}).
 *
 * <p>{@link #of} uses equal-width buckets between the minimum and the maximum, as TensorBoard's own histogram
 * summaries do. Values that are NaN or infinite are left out (they would make every statistic meaningless); a
 * histogram with none left has {@code num = 0} and one empty bucket.
 */
public record Histogram(double min, double max, double num, double sum, double sumSquares, double[] bucketLimits,
        double[] buckets) {
    /** TensorBoard's default number of buckets. */
    public static final int DEFAULT_BUCKETS = 30;

    /** Checks that limits and counts are parallel and non-empty. */
    public Histogram {
        if (bucketLimits.length == 0 || bucketLimits.length != buckets.length) {
            throw new IllegalArgumentException("Histogram: " + bucketLimits.length + " bucket limits and "
                    + buckets.length + " bucket counts: need as many of each, at least one");
        }
        bucketLimits = bucketLimits.clone();
        buckets = buckets.clone();
    }

    /** The histogram of a tensor's values in {@value #DEFAULT_BUCKETS} buckets. */
    public static Histogram of(Tensor values) {
        return of(values.toDoubleArray(), DEFAULT_BUCKETS);
    }

    /** The histogram of {@code values} in {@code bucketCount} equal-width buckets (one when all are equal). */
    public static Histogram of(double[] values, int bucketCount) {
        if (bucketCount < 1) {
            throw new IllegalArgumentException("Histogram: bucketCount " + bucketCount + " must be >= 1");
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        double sumSquares = 0;
        int num = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
                sumSquares += v * v;
                num++;
            }
        }
        if (num == 0) {
            return new Histogram(0, 0, 0, 0, 0, new double[] {0}, new double[] {0});
        }
        if (min == max) {
            return new Histogram(min, max, num, sum, sumSquares, new double[] {max}, new double[] {num});
        }
        double width = (max - min) / bucketCount;
        double[] limits = new double[bucketCount];
        for (int i = 0; i < bucketCount - 1; i++) {
            limits[i] = min + (i + 1) * width;
        }
        limits[bucketCount - 1] = max;
        double[] counts = new double[bucketCount];
        for (double v : values) {
            if (Double.isFinite(v)) {
                counts[Math.min(bucketCount - 1, (int) ((v - min) / width))]++;
            }
        }
        return new Histogram(min, max, num, sum, sumSquares, limits, counts);
    }

    @Override
    public double[] bucketLimits() {
        return bucketLimits.clone();
    }

    @Override
    public double[] buckets() {
        return buckets.clone();
    }

    /** The {@code HistogramProto} message. */
    Protobuf encode() {
        return new Protobuf()
                .doubleField(1, min)
                .doubleField(2, max)
                .doubleField(3, num)
                .doubleField(4, sum)
                .doubleField(5, sumSquares)
                .packedDoubles(6, bucketLimits)
                .packedDoubles(7, buckets);
    }
}
