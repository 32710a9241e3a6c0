package dev.nabla.data;

import java.io.IOException;

/**
 * A check run by hand, not by the test suite, that loads the real datasets this machine can reach
 * and prints their sizes and label counts: Fashion-MNIST from the Debian package (or the cache) and
 * MNIST from wherever {@link Datasets} finds it (on a machine without the mirrors, the npm subset).
 *
 * <pre>
 * ./mvnw -B -ntp -q -pl nabla-core test-compile
 * java -cp nabla-core/target/classes:nabla-core/target/test-classes dev.nabla.data.DatasetsManualCheck [name ...]
 * </pre>
 * Set {@code NABLA_DATA} to a fresh directory to exercise the download and conversion steps.
 */
public final class DatasetsManualCheck {

    private DatasetsManualCheck() {
    }

    public static void main(String[] args) throws IOException {
        Datasets datasets = Datasets.fromEnvironment();
        String[] names = args.length > 0 ? args : new String[] {Datasets.FASHION_MNIST, Datasets.MNIST};
        for (String name : names) {
            long start = System.nanoTime();
            Split split = datasets.load(name);
            System.out.printf("%s: %s (%.1f s)%n", name, split, (System.nanoTime() - start) / 1e9);
            print("train", split.train());
            print("test ", split.test());
        }
    }

    private static void print(String part, LabeledImages images) {
        int[] perLabel = new int[256];
        for (int label : images.labels()) {
            perLabel[label]++;
        }
        StringBuilder counts = new StringBuilder();
        for (int label = 0; label < perLabel.length; label++) {
            if (perLabel[label] > 0) {
                counts.append(' ').append(label).append(':').append(perLabel[label]);
            }
        }
        long sum = 0;
        for (byte p : images.pixels()) {
            sum += p & 0xFF;
        }
        System.out.printf("  %s %d images %d×%d, mean pixel %.2f, per label%s%n", part, images.count(),
                images.rows(), images.cols(), (double) sum / images.pixels().length, counts);
    }
}
