package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.io.CheckpointFile;
import dev.nabla.nn.Activation;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.loss.Losses;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.callbacks.LearningRateScheduler;
import dev.nabla.train.callbacks.ModelCheckpoint;
import dev.nabla.train.metrics.Metrics;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints written by {@link ModelCheckpoint} and resumed by {@link FitOptions#resumeFrom}. */
class ModelCheckpointTest {
    /** Adds Gaussian noise in training from a registered generator, so a resume must restore its state. */
    static final class Noise extends Module {
        private final Generator generator = registerGenerator("generator", new Generator(99));

        @Override
        public Tensor forward(Tensor x) {
            return isTraining() ? x.add(Tensor.randn(generator, x.shape()).mul(0.1)) : x;
        }
    }

    private static Model model(long initSeed) {
        return Model.sequential(new Noise(), Linear.dense(16, Activation.RELU), Linear.dense(3))
                .build(new Generator(initSeed), 2)
                .compile(p -> new Adam(p, 0.01), Losses.softmaxCrossEntropy(), Metrics.accuracy());
    }

    private static FitOptions options(int epochs) {
        return FitOptions.epochs(epochs).batchSize(32).seed(5).verbose(0);
    }

    private static void assertSameBits(Model expected, Model actual) {
        Map<String, Tensor> a = expected.network().stateDict();
        Map<String, Tensor> b = actual.network().stateDict();
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, t) -> assertArrayEquals(t.toFloatArray(), b.get(k).toFloatArray(), 0f, k));
        Map<String, Tensor> sa = expected.optimizer().stateDict();
        Map<String, Tensor> sb = actual.optimizer().stateDict();
        assertEquals(sa.keySet(), sb.keySet());
        sa.forEach((k, t) -> assertArrayEquals(t.toDoubleArray(), sb.get(k).toDoubleArray(), 0.0, k));
    }

    private static List<Double> losses(History h) {
        return h.get("loss");
    }

    @Test
    void resumedTrainingEqualsUninterruptedBitForBit(@TempDir Path dir) {
        Tensor[] data = ModelTest.blobs(1);
        Model straight = model(3);
        History full = straight.fit(data[0], data[1], options(5).validationData(data[0], data[1]));

        Model first = model(3);
        ModelCheckpoint checkpoint = new ModelCheckpoint(dir);
        first.fit(data[0], data[1], options(2).validationData(data[0], data[1]).callbacks(checkpoint));
        assertTrue(Files.exists(checkpoint.last()));

        Model resumed = model(8); // other initial weights: the checkpoint must replace them
        History rest = resumed.fit(data[0], data[1], options(5).validationData(data[0], data[1])
                .resumeFrom(checkpoint.last()));
        assertSameBits(straight, resumed);
        assertEquals(losses(full), losses(rest));
        assertEquals(full.get("val_accuracy"), rest.get("val_accuracy"));
        assertEquals(full.epochs().size(), rest.epochs().size());
        assertEquals(straight.optimizer().stepCount(), resumed.optimizer().stepCount());
    }

    @Test
    void checkpointRoundTripRestoresEverything(@TempDir Path dir) throws Exception {
        Tensor[] data = ModelTest.blobs(2);
        Model m = model(3);
        ModelCheckpoint checkpoint = new ModelCheckpoint(dir);
        History h = m.fit(data[0], data[1], options(2).callbacks(checkpoint));
        CheckpointFile.Contents c = CheckpointFile.read(checkpoint.last());
        assertEquals(2, c.epoch());
        assertEquals(m.optimizer().stepCount(), c.globalStep());
        assertEquals("Adam", c.optimizerType());
        assertEquals(h.epochs(), c.history());
        assertEquals(List.of("0.generator"), List.copyOf(c.generators().keySet()));
        assertArrayEquals(m.network().namedGenerators().get("0.generator").state(), c.generators().get("0.generator"));
        assertEquals(Map.of("seed", 5L, "batch_size", 32L, "shuffle", true), c.training());

        Model other = model(4);
        CheckpointFile.restore(checkpoint.last(), other.network(), other.inputShape(), other.optimizer(), Map.of());
        assertSameBits(m, other);
    }

    @Test
    void resumeRefusesOtherSettingsOrNetwork(@TempDir Path dir) {
        Tensor[] data = ModelTest.blobs(1);
        ModelCheckpoint checkpoint = new ModelCheckpoint(dir);
        model(3).fit(data[0], data[1], options(1).callbacks(checkpoint));

        UncheckedIOException seed = assertThrows(UncheckedIOException.class, () -> model(3).fit(data[0], data[1],
                FitOptions.epochs(2).seed(6).verbose(0).resumeFrom(checkpoint.last())));
        assertTrue(seed.getMessage().contains("seed = 5 but this run has 6"), seed.getMessage());

        Model wider = Model.sequential(new Noise(), Linear.dense(17, Activation.RELU), Linear.dense(3))
                .build(new Generator(3), 2)
                .compile(p -> new Adam(p, 0.01), Losses.softmaxCrossEntropy());
        UncheckedIOException net = assertThrows(UncheckedIOException.class, () -> wider.fit(data[0], data[1],
                options(2).resumeFrom(checkpoint.last())));
        assertTrue(net.getMessage().contains("last.safetensors: metadata field 'config' describes another network"),
                net.getMessage());
    }

    @Test
    void keepBestKeepsTheBestEpoch(@TempDir Path dir) throws Exception {
        Tensor[] data = ModelTest.blobs(1);
        Model m = model(3);
        // a schedule that makes epoch 2 the best: a huge learning rate from epoch 3 on ruins the loss
        ModelCheckpoint checkpoint = new ModelCheckpoint(dir).every(2).keepBest("loss");
        History h = m.fit(data[0], data[1], options(5).callbacks(checkpoint,
                new LearningRateScheduler(e -> e < 3 ? 0.01 : 50.0)));
        List<Double> loss = h.get("loss");
        int expected = 0;
        for (int e = 1; e < loss.size(); e++) {
            if (loss.get(e) < loss.get(expected)) {
                expected = e;
            }
        }
        assertEquals(2, expected, "the schedule should make epoch 2 the best: " + loss);
        assertEquals(expected, checkpoint.bestEpoch());
        assertEquals(expected + 1, CheckpointFile.read(checkpoint.best()).epoch());
        assertEquals(5, CheckpointFile.read(checkpoint.last()).epoch()); // every 2, and after the last epoch

        ModelCheckpoint max = new ModelCheckpoint(dir.resolve("max")).keepBest("loss", ModelCheckpoint.Mode.MAX);
        model(3).fit(data[0], data[1], options(5).callbacks(max,
                new LearningRateScheduler(e -> e < 3 ? 0.01 : 50.0)));
        int worst = 0;
        for (int e = 1; e < loss.size(); e++) {
            if (loss.get(e) > loss.get(worst)) {
                worst = e;
            }
        }
        assertEquals(worst, max.bestEpoch());
        assertEquals(worst + 1, CheckpointFile.read(max.best()).epoch());
    }

    @Test
    void keepBestAfterResumeCountsTheRestoredHistory(@TempDir Path dir) {
        Tensor[] data = ModelTest.blobs(1);
        ModelCheckpoint first = new ModelCheckpoint(dir).keepBest("loss");
        model(3).fit(data[0], data[1], options(3).callbacks(first));
        ModelCheckpoint again = new ModelCheckpoint(dir).keepBest("loss");
        // a learning rate that ruins the loss: the best stays at a restored epoch
        History h = model(3).fit(data[0], data[1], options(5).resumeFrom(first.last()).callbacks(again,
                new LearningRateScheduler(e -> 50.0)));
        assertEquals(5, h.epochs().size());
        assertTrue(again.bestEpoch() < 3 && again.bestEpoch() == first.bestEpoch(), "best " + again.bestEpoch()
                + " " + h.get("loss"));
    }
}
