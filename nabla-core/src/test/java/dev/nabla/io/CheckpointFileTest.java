package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.Activation;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint file: fields written and read back, and damaged files refused with the file and field named. */
class CheckpointFileTest {
    private static final int[] INPUT = {4};

    private static Module network() {
        Module net = new Sequential(Linear.dense(5, Activation.RELU), Linear.dense(2));
        net.build(INPUT, new Generator(1));
        return net;
    }

    /** A checkpoint after two epochs of one Adam step each, with a NaN in the history. */
    private static Path checkpoint(Path dir) throws Exception {
        Module net = network();
        Optimizer adam = new Adam(net.parameters(), 0.01);
        for (int i = 0; i < 2; i++) {
            adam.minimize(net.forward(Tensor.randn(new Generator(i), 3, 4)).square().mean());
        }
        Path file = dir.resolve("last.safetensors");
        List<Map<String, Double>> history = List.of(Map.of("loss", 0.5), Map.of("loss", Double.NaN));
        CheckpointFile.write(file, net, INPUT, adam, 2, history, Map.of("seed", 7L));
        return file;
    }

    private static String failure(Path file) {
        return assertThrows(ModelFileException.class, () -> CheckpointFile.read(file)).getMessage();
    }

    /** Rewrites the checkpoint's file with one metadata field replaced (null removes it). */
    private static void setMetadata(Path file, String field, String value) throws Exception {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> metadata = new LinkedHashMap<>(c.metadata());
        if (value == null) {
            metadata.remove(field);
        } else {
            metadata.put(field, value);
        }
        Safetensors.write(file, c.tensors(), metadata);
    }

    @Test
    void writesEveryField(@TempDir Path dir) throws Exception {
        CheckpointFile.Contents c = CheckpointFile.read(checkpoint(dir));
        assertEquals(2, c.epoch());
        assertEquals(2, c.globalStep());
        assertEquals("Adam", c.optimizerType());
        assertEquals(0.5, c.history().get(0).get("loss"));
        assertTrue(c.history().get(1).get("loss").isNaN());
        assertEquals(Map.of("seed", 7L), c.training());
        assertEquals(java.util.Set.of("0.weight", "0.bias", "1.weight", "1.bias"), c.model().keySet());
        assertTrue(c.optimizer().containsKey("3.exp_avg_sq"), c.optimizer().keySet().toString());
    }

    @Test
    void truncatedFileNamesTheFileAndTheTensor(@TempDir Path dir) throws Exception {
        Path file = checkpoint(dir);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 10));
        String message = failure(file);
        assertTrue(message.startsWith(file + ": tensor '"), message);
        assertTrue(message.contains("end beyond the"), message);

        Files.write(file, Arrays.copyOf(bytes, 5));
        assertTrue(failure(file).startsWith(file + ": the file has 5 bytes"), failure(file));

        Files.write(file, Arrays.copyOf(bytes, 100));
        assertTrue(failure(file).contains("header length"), failure(file));
    }

    @Test
    void damagedMetadataNamesTheField(@TempDir Path dir) throws Exception {
        Path file = checkpoint(dir);
        setMetadata(file, "epoch", "two");
        assertEquals(file + ": metadata field 'epoch' is 'two', expected a whole number >= 0", failure(file));

        file = checkpoint(dir);
        setMetadata(file, "optimizer", null);
        assertEquals(file + ": metadata field 'optimizer' is missing", failure(file));

        file = checkpoint(dir);
        setMetadata(file, "history", "[{\"loss\": 0.5}, {\"loss\": \"low\"}]");
        assertEquals(file + ": metadata field 'history'[1].loss is \"low\", expected a number", failure(file));

        file = checkpoint(dir);
        setMetadata(file, "history", "[{\"loss\": 0.5}");
        assertTrue(failure(file).startsWith(file + ": metadata field 'history' is not valid JSON"), failure(file));

        file = checkpoint(dir);
        setMetadata(file, "generators", "{\"0.noise\": [1, 2]}");
        assertEquals(file + ": metadata field 'generators', entry '0.noise' is [1,2], expected 3 integers",
                failure(file));

        file = checkpoint(dir);
        setMetadata(file, "epoch", "3");
        assertEquals(file + ": metadata field 'history' has 2 epochs but field 'epoch' says 3", failure(file));
    }

    @Test
    void modelFileIsNotACheckpoint(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.safetensors");
        ModelFile.save(file, network(), INPUT);
        assertTrue(failure(file).endsWith("metadata field 'format' is 'nabla-model', expected 'nabla-checkpoint'"
                + " (this is a model file, not a checkpoint)"), failure(file));
    }

    @Test
    void restoreRefusesAnotherOptimizerBeforeChangingAnything(@TempDir Path dir) throws Exception {
        Path file = checkpoint(dir);
        Module net = network();
        Tensor before = net.stateDict().get("0.weight").mul(1);
        Optimizer sgd = new dev.nabla.optim.SGD(net.parameters(), 0.1);
        String message = assertThrows(ModelFileException.class,
                () -> CheckpointFile.restore(file, net, INPUT, sgd, Map.of())).getMessage();
        assertEquals(file + ": metadata field 'optimizer' is 'Adam' but the model is compiled with SGD", message);
        assertEquals(Arrays.toString(before.toFloatArray()),
                Arrays.toString(net.stateDict().get("0.weight").toFloatArray()));
    }
}
