package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.Activation;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.loss.Losses;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.callbacks.CsvLogger;
import dev.nabla.train.callbacks.EarlyStopping;
import dev.nabla.train.callbacks.LearningRateScheduler;
import dev.nabla.train.callbacks.ProgressBar;
import dev.nabla.train.metrics.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Keras-style API end to end on a small synthetic problem: three Gaussian blobs in 2-d. */
class ModelTest {
    private static final int N = 600;

    /** Inputs [N, 2] around three centres, labels [N]. */
    static Tensor[] blobs(long seed) {
        Generator g = new Generator(seed);
        float[] x = new float[N * 2];
        float[] y = new float[N];
        double[][] centres = {{-2, 0}, {2, 0}, {0, 2.5}};
        for (int i = 0; i < N; i++) {
            int c = i % 3;
            y[i] = c;
            x[2 * i] = (float) (centres[c][0] + 0.6 * g.nextGaussian());
            x[2 * i + 1] = (float) (centres[c][1] + 0.6 * g.nextGaussian());
        }
        return new Tensor[] {Tensor.fromArray(x, N, 2), Tensor.fromArray(y, N)};
    }

    private static Model model() {
        return Model.sequential(Linear.dense(16, Activation.RELU), Linear.dense(3))
                .build(new Generator(3), 2)
                .compile(p -> new Adam(p, 0.01), Losses.softmaxCrossEntropy(), Metrics.accuracy());
    }

    @Test
    void fitLearnsAndReportsKerasLogs() {
        Tensor[] data = blobs(1);
        Model m = model();
        History h = m.fit(data[0], data[1], FitOptions.epochs(8).batchSize(32).validationSplit(0.2).verbose(0));
        assertEquals(8, h.epochs().size());
        assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy", "seconds", "lr"),
                List.copyOf(h.last().keySet()));
        assertTrue(h.get("loss").get(7) < h.get("loss").get(0), "loss falls: " + h.get("loss"));
        assertTrue(h.last().get("val_accuracy") > 0.9, "val accuracy " + h.last());
        Map<String, Double> eval = m.evaluate(data[0], data[1], 100);
        assertTrue(eval.get("accuracy") > 0.9, eval.toString());
        assertArrayEquals(new int[] {N, 3}, m.predict(data[0], 64).shape());
    }

    @Test
    void sameSeedSameHistory() {
        Tensor[] data = blobs(2);
        History a = model().fit(data[0], data[1], FitOptions.epochs(2).seed(5).verbose(0));
        History b = model().fit(data[0], data[1], FitOptions.epochs(2).seed(5).verbose(0));
        assertEquals(a.get("loss"), b.get("loss"));
        assertEquals(a.get("accuracy"), b.get("accuracy"));
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Tensor x = Tensor.rand(new Generator(9), 512, 784);
        float[] labels = new float[512];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        Tensor y = Tensor.fromArray(labels, 512);
        float[][] weights = new float[2][];
        int before = dev.nabla.kernel.Parallel.threads();
        try {
            for (int t = 1; t <= 2; t++) {
                dev.nabla.kernel.Parallel.setThreads(t);
                Model m = Model.sequential(Linear.dense(256, Activation.RELU), Linear.dense(10))
                        .build(new Generator(3), 784)
                        .compile(p -> new Adam(p, 0.01), Losses.softmaxCrossEntropy(), Metrics.accuracy());
                m.fit(x, y, FitOptions.epochs(1).batchSize(256).verbose(0));
                weights[t - 1] = m.parameters().get(0).toFloatArray();
            }
        } finally {
            dev.nabla.kernel.Parallel.setThreads(before);
        }
        assertArrayEquals(weights[0], weights[1], "1 and 2 threads train to bit-identical weights");
    }

    @Test
    void progressLinesLookLikeKeras() {
        Tensor[] data = blobs(3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        model().fit(data[0], data[1], FitOptions.epochs(2).batchSize(32)
                .validationData(data[0], data[1]).verbose(0).callbacks(new ProgressBar(out, false)));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length, String.join("\n", lines));
        assertEquals("Epoch 1/2", lines[0]);
        assertTrue(lines[1].matches("19/19 \\[=+\\] - \\d+s \\d+(us|ms|s)/step - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}"
                + " - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4}"), lines[1]);
        assertEquals("Epoch 2/2", lines[2]);
    }

    @Test
    void summaryPrintsLayersShapesAndCounts() {
        Model m = Model.sequential(new Flatten(), Linear.dense(256, Activation.RELU), Linear.dense(128, Activation.RELU),
                Linear.dense(10, Activation.SOFTMAX)).build(new Generator(0), 28, 28);
        String s = m.summary();
        assertTrue(s.contains(" flatten (Flatten)           (None, 784)               0"), s);
        assertTrue(s.contains(" linear_1 (Linear)           (None, 256)               200,960"), s);
        assertTrue(s.contains("Total params: 235,146"), s);
    }

    @Test
    void earlyStoppingStopsAndRestoresTheBestWeights() {
        Tensor[] data = blobs(4);
        Model m = model();
        // patience 0 on a metric that cannot improve after the first epoch: stops at the second epoch
        EarlyStopping stop = new EarlyStopping("lr", 0, 0, true);
        History h = m.fit(data[0], data[1], FitOptions.epochs(10).verbose(0).callbacks(stop));
        assertEquals(2, h.epochs().size());
        assertEquals(1, stop.stoppedEpoch());
        assertEquals(0, stop.bestEpoch());
    }

    @Test
    void learningRateSchedulerAndCsvLogger(@TempDir Path dir) throws Exception {
        Tensor[] data = blobs(5);
        Model m = model();
        Path csv = dir.resolve("log.csv");
        m.fit(data[0], data[1], FitOptions.epochs(3).verbose(0)
                .callbacks(new LearningRateScheduler(e -> 0.1 / (e + 1)), new CsvLogger(csv)));
        assertEquals(0.1 / 3, m.optimizer().learningRate(), 1e-12);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("epoch,loss,accuracy,seconds,lr", lines.get(0));
        assertEquals(4, lines.size());
        assertTrue(lines.get(3).endsWith(",0.0333333"), lines.get(3));
    }

    @Test
    void dataThatDoesNotFitTheModelIsAClearError() {
        Tensor[] data = blobs(6);
        Model m = model();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.fit(Tensor.zeros(10, 3), Tensor.zeros(10), FitOptions.epochs(1).verbose(0)));
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[10, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.fit(data[0], Tensor.zeros(5), FitOptions.epochs(1).verbose(0)));
        assertTrue(e.getMessage().contains("600 inputs") && e.getMessage().contains("5 targets"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Model.sequential(Linear.dense(2)).fit(data[0], data[1],
                FitOptions.epochs(1)));
    }
}
