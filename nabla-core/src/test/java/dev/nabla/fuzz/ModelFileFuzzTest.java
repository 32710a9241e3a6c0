package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.nabla.autograd.GradMode;
import dev.nabla.io.Json;
import dev.nabla.io.ModelFile;
import dev.nabla.io.ModelFileException;
import dev.nabla.nn.Layers;
import dev.nabla.nn.Module;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@link ModelFile#load}: model files saved by {@link ModelFile#save} for networks using every built-in
 * layer type, with the safetensors header, the JSON config inside its metadata, or the bytes mutated. Every file is
 * refused with a {@link ModelFileException} with a message, or loaded into a network that runs on an input of the
 * recorded shape and gives the recorded output shape.
 */
class ModelFileFuzzTest {
    /** Networks as configs, each with its input shape, covering every type in {@link Layers#builtin()}. */
    private static final String[][] NETWORKS = {
        {"[2,3]", """
            {"type":"Sequential","layers":[{"type":"Flatten"},{"type":"Linear","out":5,"activation":"relu"},
            {"type":"Dropout","p":0.5},{"type":"ReLU"},{"type":"Linear","in":5,"out":3,"activation":"softmax",
            "bias":false}]}"""},
        {"[1,6,6]", """
            {"type":"Sequential","layers":[{"type":"Conv2d","out":2,"kernel":[3,3],"padding":"same",
            "activation":"relu"},{"type":"BatchNorm2d","features":2},{"type":"MaxPool2d","kernel":[2,2]},
            {"type":"ZeroPad2d","top":1,"bottom":0,"left":1,"right":0},{"type":"AvgPool2d","kernel":[2,2]},
            {"type":"GlobalAvgPool2d"},{"type":"Linear","out":2}]}"""},
        {"[3,5]", """
            {"type":"Sequential","layers":[{"type":"Conv1d","out":2,"kernel":[2],"padding":[0]},
            {"type":"LayerNorm","shape":[4]},{"type":"GELU"},{"type":"Tanh"},{"type":"Flatten"},
            {"type":"BatchNorm1d","features":8},{"type":"Sigmoid"},{"type":"LeakyReLU","slope":0.2},
            {"type":"Linear","out":3},{"type":"Softmax","dim":-1}]}"""},
    };

    private static final long MAX_CHECKED_INPUT = 10_000;

    @TempDir
    Path dir;

    private List<byte[]> seeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < NETWORKS.length; i++) {
            int[] input = ((List<?>) Json.parse(NETWORKS[i][0])).stream().mapToInt(d -> ((Long) d).intValue())
                    .toArray();
            Module network = Layers.builtin().fromConfig(Json.parse(NETWORKS[i][1]), "network");
            network.build(input, new Generator(i));
            Path file = dir.resolve("seed" + i + ".safetensors");
            ModelFile.save(file, network, input);
            seeds.add(Files.readAllBytes(file));
        }
        return seeds;
    }

    @Test
    void load() throws Exception {
        List<byte[]> seeds = seeds();
        for (int i = 0; i < seeds.size(); i++) {
            Files.write(dir.resolve("check.safetensors"), seeds.get(i));
            check(ModelFile.load(dir.resolve("check.safetensors")));
        }
        Fuzzer.Stats stats = Fuzzer.run("model-file", dir, 3_000, seeds, SafetensorsMutations::mutate,
                (file, input) -> check(ModelFile.load(file)), ModelFileException.class);
        stats.assertBothOutcomes();
    }

    /**
     * The loaded network maps a batch of the input shape to a batch of the output shape; checked by running it when
     * the input is small (a file may validly declare a large input, which costs nothing until a forward pass).
     */
    private static void check(ModelFile.Loaded loaded) {
        long numel = 1;
        for (int d : loaded.inputShape()) {
            numel *= d;
        }
        if (numel > MAX_CHECKED_INPUT) {
            return;
        }
        int[] in = new int[loaded.inputShape().length + 1];
        in[0] = 2;
        System.arraycopy(loaded.inputShape(), 0, in, 1, in.length - 1);
        int[] out = new int[loaded.outputShape().length + 1];
        out[0] = 2;
        System.arraycopy(loaded.outputShape(), 0, out, 1, out.length - 1);
        try (var scope = GradMode.noGrad()) {
            Tensor y = loaded.network().eval().forward(Tensor.zeros(in));
            assertArrayEquals(out, y.shape(), "output shape");
        }
    }
}
