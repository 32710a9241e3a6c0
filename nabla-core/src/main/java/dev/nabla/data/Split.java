package dev.nabla.data;

import java.util.Objects;

/**
 * A dataset's training part and its held-out part (test or validation), with a line saying where
 * they came from, for logs and reports.
 *
 * @param train       the images to fit on
 * @param test        the images to evaluate on
 * @param description where the data came from, e.g. {@code "MNIST from /data/mnist"}
 */
public record Split(LabeledImages train, LabeledImages test, String description) {

    public Split {
        Objects.requireNonNull(train, "Split: train");
        Objects.requireNonNull(test, "Split: test");
        Objects.requireNonNull(description, "Split: description");
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw new IllegalArgumentException("Split (" + description + "): train images are "
                    + train.rows() + "×" + train.cols() + " but test images are "
                    + test.rows() + "×" + test.cols());
        }
    }

    @Override
    public String toString() {
        return description + ": " + train.count() + " train, " + test.count() + " test, "
                + train.rows() + "×" + train.cols();
    }
}
