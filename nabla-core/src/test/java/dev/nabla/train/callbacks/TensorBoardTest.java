package dev.nabla.train.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.nabla.io.tensorboard.IndependentReader;
import dev.nabla.nn.Activation;
import dev.nabla.nn.Linear;
import dev.nabla.nn.loss.Losses;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Callback;
import dev.nabla.train.FitOptions;
import dev.nabla.train.History;
import dev.nabla.train.Model;
import dev.nabla.train.metrics.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short fit with the callback; its files are decoded by the independent reader and compared with the logs. */
class TensorBoardTest {
    @TempDir
    Path dir;

    /** What the event files say: "tag@step" → value (scalars) or histogram. */
    private static Map<String, Object> decode(Path runDir) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(runDir)) {
            files = s.toList();
        }
        assertEquals(1, files.size(), files.toString());
        assertEquals(true, files.get(0).getFileName().toString().startsWith("events.out.tfevents."));
        List<?> records = IndependentReader.records(files.get(0));
        assertEquals("brain.Event:2", ((Map<?, ?>) records.get(0)).get("file_version"));
        Map<String, Object> out = new LinkedHashMap<>();
        for (Object r : records.subList(1, records.size())) {
            Map<?, ?> event = (Map<?, ?>) r;
            for (Object v : (List<?>) event.get("summary")) {
                Map<?, ?> value = (Map<?, ?>) v;
                Object content = value.containsKey("simple_value") ? value.get("simple_value") : value.get("histo");
                out.put(value.get("tag") + "@" + event.get("step"), content);
            }
        }
        return out;
    }

    @Test
    void kerasLayoutDecodedIndependently() throws Exception {
        Generator g = new Generator(7);
        Tensor x = Tensor.randn(g, 60, 2);
        Tensor y = x.sum(1, false).gt(0).to(x.dtype());
        Model model = Model.sequential(Linear.dense(4, Activation.RELU), Linear.dense(2))
                .build(new Generator(1), 2)
                .compile(p -> new SGD(p, 0.05), Losses.softmaxCrossEntropy(), Metrics.accuracy());
        List<Map<String, Double>> batchLogs = new ArrayList<>();
        Callback recorder = new Callback() {
            @Override
            public void onBatchEnd(int step, Map<String, Double> logs) {
                batchLogs.add(Map.copyOf(logs));
            }
        };
        // 48 training samples in batches of 16: 3 steps per epoch; scalars every 2 steps
        History history = model.fit(x, y, FitOptions.epochs(2).batchSize(16).validationSplit(0.2).verbose(0)
                .callbacks(recorder, new TensorBoard(dir, 2, true)));

        Map<String, Object> train = decode(dir.resolve("train"));
        Map<String, Object> validation = decode(dir.resolve("validation"));
        List<String> expectedTrain = new ArrayList<>(List.of("batch_loss@1", "batch_accuracy@1"));
        for (int epoch = 0; epoch < 2; epoch++) {
            if (epoch == 1) {
                expectedTrain.addAll(List.of("batch_loss@4", "batch_accuracy@4"));
            }
            expectedTrain.addAll(List.of("epoch_loss@" + epoch, "epoch_accuracy@" + epoch,
                    "epoch_learning_rate@" + epoch));
            for (String name : model.network().namedParameters().keySet()) {
                expectedTrain.add("weights/" + name + "@" + epoch);
                expectedTrain.add("gradients/" + name + "@" + epoch);
            }
        }
        assertEquals(expectedTrain, List.copyOf(train.keySet()));
        assertEquals(List.of("epoch_loss@0", "epoch_accuracy@0", "epoch_loss@1", "epoch_accuracy@1"),
                List.copyOf(validation.keySet()));

        assertEquals(f(batchLogs.get(1).get("loss")), train.get("batch_loss@1"));
        assertEquals(f(batchLogs.get(4).get("accuracy")), train.get("batch_accuracy@4"));
        for (int epoch = 0; epoch < 2; epoch++) {
            Map<String, Double> logs = history.epochs().get(epoch);
            assertEquals(f(logs.get("loss")), train.get("epoch_loss@" + epoch));
            assertEquals(f(logs.get("accuracy")), train.get("epoch_accuracy@" + epoch));
            assertEquals(f(0.05), train.get("epoch_learning_rate@" + epoch));
            assertEquals(f(logs.get("val_loss")), validation.get("epoch_loss@" + epoch));
            assertEquals(f(logs.get("val_accuracy")), validation.get("epoch_accuracy@" + epoch));
        }
        // after the last epoch, the weight histograms describe the final weights, the gradients the last step's
        for (Map.Entry<String, Tensor> p : model.network().namedParameters().entrySet()) {
            assertHistogramOf(p.getValue(), train.get("weights/" + p.getKey() + "@1"));
            assertNotNull(p.getValue().grad(), p.getKey());
            assertHistogramOf(p.getValue().grad(), train.get("gradients/" + p.getKey() + "@1"));
        }
    }

    private static void assertHistogramOf(Tensor t, Object histogram) {
        Map<?, ?> h = (Map<?, ?>) histogram;
        double[] v = t.toDoubleArray();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (double d : v) {
            min = Math.min(min, d);
            max = Math.max(max, d);
            sum += d;
        }
        assertEquals((double) v.length, h.get("num"));
        assertEquals(min, h.get("min"));
        assertEquals(max, h.get("max"));
        assertEquals(sum, (Double) h.get("sum"), 1e-9 * (1 + Math.abs(sum)));
        double count = 0;
        for (Object c : (List<?>) h.get("bucket")) {
            count += (Double) c;
        }
        assertEquals((double) v.length, count);
    }

    /** A value as TensorBoard stores scalars: float32, read back as a double. */
    private static Double f(double v) {
        return (double) (float) v;
    }
}
