package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.io.CheckpointFile;
import dev.nabla.io.ModelFileException;
import dev.nabla.nn.Activation;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@link CheckpointFile#read}: checkpoints written by {@link CheckpointFile#write} with the safetensors
 * header, the JSON fields in its metadata (generators, history, training, config) or the bytes mutated. Every file
 * is refused with a {@link ModelFileException} with a message, or read into contents whose fields agree.
 */
class CheckpointFileFuzzTest {
    @TempDir
    Path dir;

    private List<byte[]> seeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Module net = new Sequential(Linear.dense(3, Activation.RELU), new Dropout(0.25), Linear.dense(2));
            net.build(new int[] {2}, new Generator(k));
            Optimizer optimizer = k == 0 ? new Adam(net.parameters(), 0.01) : new SGD(net.parameters(), 0.1, 0.9);
            List<Map<String, Double>> history = new ArrayList<>();
            for (int epoch = 0; epoch <= k; epoch++) {
                optimizer.minimize(net.forward(Tensor.randn(new Generator(epoch), 2, 2)).square().mean());
                history.add(Map.of("loss", epoch == 1 ? Double.NaN : 0.5, "val_accuracy", 0.75));
            }
            Path file = dir.resolve("seed" + k + ".safetensors");
            CheckpointFile.write(file, net, new int[] {2}, optimizer, k + 1, history, Map.of("seed", 7L,
                    "batch_size", 2L));
            seeds.add(Files.readAllBytes(file));
        }
        return seeds;
    }

    @Test
    void read() throws Exception {
        Fuzzer.run("checkpoint", dir, 3_000, 20_000, seeds(), SafetensorsMutations::mutate,
                (file, input) -> check(CheckpointFile.read(file)), ModelFileException.class).assertBothOutcomes();
    }

    private static void check(CheckpointFile.Contents c) {
        assertTrue(c.epoch() >= 0 && c.globalStep() >= 0, c.epoch() + " " + c.globalStep());
        assertEquals(c.epoch(), c.history().size(), "epochs of history");
        c.generators().values().forEach(state -> assertEquals(3, state.length, "generator state words"));
        assertTrue(c.config() != null && c.optimizerType() != null && c.training() != null);
    }
}
