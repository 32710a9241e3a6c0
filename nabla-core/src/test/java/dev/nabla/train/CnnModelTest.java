package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.Activation;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.loss.Losses;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.metrics.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CNN: its Keras-like summary, a save/load round trip, and a short run that learns. */
class CnnModelTest {
    private static Model cnn() {
        return Model.sequential(Conv2d.of(32, 3, "same", Activation.RELU), new MaxPool2d(2),
                Conv2d.of(64, 3, "same", Activation.RELU), new MaxPool2d(2), new Flatten(),
                Linear.dense(128, Activation.RELU), new Dropout(0.5), Linear.dense(10)).build(new Generator(42), 1, 28, 28);
    }

    @Test
    void summaryShowsOutputShapesAndParameterCounts() {
        String summary = cnn().summary();
        String[] expected = {
            "conv2d (Conv2d)             (None, 32, 28, 28)        320",
            "maxpool2d_1 (MaxPool2d)     (None, 32, 14, 14)        0",
            "conv2d_2 (Conv2d)           (None, 64, 14, 14)        18,496",
            "maxpool2d_3 (MaxPool2d)     (None, 64, 7, 7)          0",
            "flatten_4 (Flatten)         (None, 3136)              0",
            "linear_5 (Linear)           (None, 128)               401,536",
            "dropout_6 (Dropout)         (None, 128)               0",
            "linear_7 (Linear)           (None, 10)                1,290",
            "Total params: 421,642"};
        for (String line : expected) {
            assertTrue(summary.contains(line), "missing '" + line + "' in\n" + summary);
        }
    }

    @Test
    void savedCnnLoadsWithTheSameOutputs(@TempDir Path dir) throws Exception {
        Model model = cnn();
        Path file = dir.resolve("cnn.safetensors");
        model.save(file);
        assertTrue(Files.size(file) > 421_642 * 4);
        Model loaded = Model.load(file);
        Tensor x = Tensor.rand(new Generator(1), 2, 1, 28, 28);
        assertArrayEquals(model.predict(x, 2).toFloatArray(), loaded.predict(x, 2).toFloatArray());
    }

    /** 12×12 images of a bar, vertical (class 0) or horizontal (class 1), at a random place, with noise. */
    private static Tensor[] bars(long seed, int n) {
        Generator g = new Generator(seed);
        float[] x = new float[n * 144];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = i % 2;
            y[i] = c;
            int at = 2 + g.nextInt(8);
            int from = g.nextInt(6);
            for (int p = 0; p < 144; p++) {
                x[i * 144 + p] = (float) (0.3 * g.nextGaussian());
            }
            for (int k = from; k < from + 6; k++) {
                int row = c == 0 ? k : at;
                int col = c == 0 ? at : k;
                x[i * 144 + row * 12 + col] += 1;
            }
        }
        return new Tensor[] {Tensor.fromArray(x, n, 1, 12, 12), Tensor.fromArray(y, n)};
    }

    @Test
    void aSmallCnnLearnsBarOrientation() {
        Tensor[] train = bars(1, 512);
        Tensor[] test = bars(2, 200);
        Model model = Model.sequential(Conv2d.of(8, 3, "same", Activation.RELU), new MaxPool2d(2),
                Conv2d.of(8, 3, "same", Activation.RELU), new MaxPool2d(2), new Flatten(), new Dropout(0.2),
                Linear.dense(2)).build(new Generator(5), 1, 12, 12)
                .compile(p -> new Adam(p, 0.01), Losses.softmaxCrossEntropy(), Metrics.accuracy());
        model.fit(train[0], train[1], FitOptions.epochs(4).batchSize(32).seed(3).verbose(0));
        Map<String, Double> eval = model.evaluate(test[0], test[1], 100);
        assertTrue(eval.get("accuracy") > 0.9, "test accuracy " + eval);
        assertEquals(2, model.predict(test[0], 50).size(1));
    }

    @Test
    void trainingDoesNotDependOnTheThreadCount() {
        // large enough that every conv, pooling and bias-gradient kernel splits its work over the threads
        Tensor x = Tensor.rand(new Generator(4), 64, 1, 28, 28);
        float[] labels = new float[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        Tensor y = Tensor.fromArray(labels, 64);
        float[][][] weights = new float[2][][];
        int before = dev.nabla.kernel.Parallel.threads();
        try {
            for (int t : new int[] {1, 3}) {
                dev.nabla.kernel.Parallel.setThreads(t);
                Model model = Model.sequential(Conv2d.of(16, 3, "same", Activation.RELU), new MaxPool2d(2),
                        Conv2d.of(16, 3, "same", Activation.RELU), new MaxPool2d(2), new Flatten(),
                        Linear.dense(10)).build(new Generator(6), 1, 28, 28)
                        .compile(p -> new Adam(p, 0.01), Losses.softmaxCrossEntropy());
                model.fit(x, y, FitOptions.epochs(1).batchSize(32).seed(3).verbose(0));
                weights[t == 1 ? 0 : 1] = model.parameters().stream().map(Tensor::toFloatArray).toArray(float[][]::new);
            }
        } finally {
            dev.nabla.kernel.Parallel.setThreads(before);
        }
        for (int i = 0; i < weights[0].length; i++) {
            assertArrayEquals(weights[0][i], weights[1][i], "parameter " + i + ": 1 and 3 threads differ");
        }
    }
}
