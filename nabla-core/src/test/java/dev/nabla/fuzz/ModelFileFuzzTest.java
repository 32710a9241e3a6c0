package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.GradMode;
import dev.nabla.io.Json;
import dev.nabla.io.ModelFile;
import dev.nabla.io.ModelFileException;
import dev.nabla.nn.Layers;
import dev.nabla.nn.Module;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
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

    /**
     * Found by {@link #load} (seed 474080242785, input 302): the CNN seed with {@code input_shape [1, 1000000, 6]},
     * which loading built by running the network on a 6-million-pixel image, for five seconds.
     */
    private static final String HUGE_INPUT_SHAPE = """
            6AQAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJuYWJsYS1tb2RlbCIsImZvcm1hdF92ZXJzaW9uIjoiMSIsImNvbmZp
            ZyI6IntcInZlcnNpb25cIjoxLFwiaW5wdXRfc2hhcGVcIjpbMSwxMDAwMDAwLDZdLFwibmV0d29ya1wiOntcInR5cGVcIjpcIlNl
            cXVlbnRpYWxcIixcImxheWVyc1wiOlt7XCJ0eXBlXCI6XCJDb252MmRcIixcImluXCI6MSxcIm91dFwiOjIsXCJrZXJuZWxcIjpb
            MywzXSxcInN0cmlkZVwiOlsxLDFdLFwicGFkZGluZ1wiOlwic2FtZVwiLFwiZGlsYXRpb25cIjpbMSwxXSxcImdyb3Vwc1wiOjEs
            XCJiaWFzXCI6dHJ1ZSxcImFjdGl2YXRpb25cIjpcInJlbHVcIn0se1widHlwZVwiOlwiQmF0Y2hOb3JtMmRcIixcImZlYXR1cmVz
            XCI6MixcIm1vbWVudHVtXCI6MC4xLFwiZXBzXCI6MS4wRS01fSx7XCJ0eXBlXCI6XCJNYXhQb29sMmRcIixcImtlcm5lbFwiOlsy
            LDJdLFwic3RyaWRlXCI6WzIsMl0sXCJwYWRkaW5nXCI6WzBdfSx7XCJ0eXBlXCI6XCJaZXJvUGFkMmRcIixcInRvcFwiOjEsXCJi
            b3R0b21cIjowLFwibGVmdFwiOjEsXCJyaWdodFwiOjB9LHtcInR5cGVcIjpcIkF2Z1Bvb2wyZFwiLFwia2VybmVsXCI6WzIsMl0s
            XCJzdHJpZGVcIjpbMiwyXSxcInBhZGRpbmdcIjpbMF19LHtcInR5cGVcIjpcIkdsb2JhbEF2Z1Bvb2wyZFwifSx7XCJ0eXBlXCI6
            XCJMaW5lYXJcIixcImluXCI6MixcIm91dFwiOjIsXCJhY3RpdmF0aW9uXCI6XCJsaW5lYXJcIixcImJpYXNcIjp0cnVlfV19fSJ9
            LCIwLmJpYXMiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzJdLCJkYXRhX29mZnNldHMiOlswLDhdfSwiMC53ZWlnaHQiOnsiZHR5
            cGUiOiJGMzIiLCJzaGFwZSI6WzIsMSwzLDNdLCJkYXRhX29mZnNldHMiOls4LDgwXX0sIjEuYmlhcyI6eyJkdHlwZSI6IkYzMiIs
            InNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzgwLDg4XX0sIjEucnVubmluZ19tZWFuIjp7ImR0eXBlIjoiRjMyIiwic2hhcGUi
            OlsyXSwiZGF0YV9vZmZzZXRzIjpbODgsOTZdfSwiMS5ydW5uaW5nX3ZhciI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMl0sImRh
            dGFfb2Zmc2V0cyI6Wzk2LDEwNF19LCIxLndlaWdodCI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6
            WzEwNCwxMTJdfSwiNi5iaWFzIjp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbMTEyLDEyMF19LCI2
            LndlaWdodCI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMiwyXSwiZGF0YV9vZmZzZXRzIjpbMTIwLDEzNl19fQAAAAAAAAAAnoWA
            PWNJbT6TXOM+3d5WvU48V73Ozn0+MSe2Pr8osjznE0++4+qNPtwWub2njcs9sgQuvZxQ6DwNSXe9cbqgvrVPDD65OZg+AAAAAAAA
            AAAAAAAAAAAAAAAAgD8AAIA/AACAPwAAgD8AAAAAAAAAAB3i4z6I/3A/JxaIv7Q9g78=""";

    /**
     * Found by {@link #load} (seed 474080242785, input 14004): the CNN seed with a Conv2d of {@code "kernel": [255]}
     * and {@code "padding": "same"} on a 6×6 image, whose build threw ArrayIndexOutOfBoundsException from im2col,
     * which copied zero elements from before the image when the padding covered a whole row.
     */
    private static final String WIDE_KERNEL = """
            4AQAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJuYWJsYS1tb2RlbCIsImZvcm1hdF92ZXJzaW9uIjoiMSIsImNvbmZp
            ZyI6IntcInZlcnNpb25cIjoxLFwiaW5wdXRfc2hhcGVcIjpbMSw2LDZdLFwibmV0d29ya1wiOntcInR5cGVcIjpcIlNlcXVlbnRp
            YWxcIixcImxheWVyc1wiOlt7XCJ0eXBlXCI6XCJDb252MmRcIixcImluXCI6MSxcIm91dFwiOjIsXCJrZXJuZWxcIjpbMjU1XSxc
            InN0cmlkZVwiOlsxLDFdLFwicGFkZGluZ1wiOlwic2FtZVwiLFwiZGlsYXRpb25cIjpbMSwxXSxcImdyb3Vwc1wiOjEsXCJiaWFz
            XCI6dHJ1ZSxcImFjdGl2YXRpb25cIjpcInJlbHVcIn0se1widHlwZVwiOlwiQmF0Y2hOb3JtMmRcIixcImZlYXR1cmVzXCI6Mixc
            Im1vbWVudHVtXCI6MC4xLFwiZXBzXCI6MS4wRS01fSx7XCJ0eXBlXCI6XCJNYXhQb29sMmRcIixcImtlcm5lbFwiOlsyLDJdLFwi
            c3RyaWRlXCI6WzIsMl0sXCJwYWRkaW5nXCI6WzBdfSx7XCJ0eXBlXCI6XCJaZXJvUGFkMmRcIixcInRvcFwiOjEsXCJib3R0b21c
            IjowLFwibGVmdFwiOjEsXCJyaWdodFwiOjB9LHtcInR5cGVcIjpcIkF2Z1Bvb2wyZFwiLFwia2VybmVsXCI6WzIsMl0sXCJzdHJp
            ZGVcIjpbMl0sXCJwYWRkaW5nXCI6WzBdfSx7XCJ0eXBlXCI6XCJHbG9iYWxBdmdQb29sMmRcIn0se1widHlwZVwiOlwiTGluZWFy
            XCIsXCJpblwiOjIsXCJvdXRcIjoyLFwiYWN0aXZhdGlvblwiOlwibGluZWFyXCIsXCJiaWFzXCI6dHJ1ZX1dfX0ifSwiMC5iaWFz
            Ijp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbMCw4XX0sIjAud2VpZ2h0Ijp7ImR0eXBlIjoiRjMy
            Iiwic2hhcGUiOlsyLDEsMywzXSwiZGF0YV9vZmZzZXRzIjpbOCw4MF19LCIxLmJpYXMiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6
            WzJdLCJkYXRhX29mZnNldHMiOls4MCw4OF19LCIxLnJ1bm5pbmdfbWVhbiI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMl0sImRh
            dGFfb2Zmc2V0cyI6Wzg4LDk2XX0sIjEucnVubmluZ192YXIiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzJdLCJkYXRhX29mZnNl
            dHMiOls5NiwxMDRdfSwiMS53ZWlnaHQiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzJdLCJkYXRhX29mZnNldHMiOlsxMDQsMTEy
            XX0sIjYuYmlhcyI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzExMiwxMjBdfSwiNi53ZWlnaHQi
            OnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzIsMl0sImRhdGFfb2Zmc2V0cyI6WzEyMCwxMzZdfX0AAAAAAAAAAJ6FgD1jSW0+k1zj
            Pt3eVr1OPFe9zs59PjEntj6/KLI85xNPvuPqjT7cFrm9p43LPbIELr2cUOg8DUl3vXG6oL61Tww+uTmYPgAAAAAAAAAAAAAAAAAA
            AAAAAIA/AACAPwAAgD8AAIA/AAAAAAAAAAAd4uM+iP9wPycWiL+0PYO/""";

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
        Fuzzer.Stats stats = Fuzzer.run("model-file", dir, 3_000, 10_000, seeds, SafetensorsMutations::mutate,
                (file, input) -> check(ModelFile.load(file)), ModelFileException.class);
        stats.assertBothOutcomes();
    }

    @Test
    void hugeInputShapeIsRefusedBeforeBuilding() throws Exception {
        Path file = dir.resolve("huge-input-shape.safetensors");
        Files.write(file, Base64.getMimeDecoder().decode(HUGE_INPUT_SHAPE));
        String message = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertThrows(ModelFileException.class, () -> ModelFile.load(file))).getMessage();
        assertTrue(message.contains("config.input_shape [1,1000000,6] has more than 4194304 elements"), message);
    }

    @Test
    void kernelWiderThanTheImageIsRefusedForItsWeights() throws Exception {
        Path file = dir.resolve("wide-kernel.safetensors");
        Files.write(file, Base64.getMimeDecoder().decode(WIDE_KERNEL));
        String message = assertThrows(ModelFileException.class, () -> ModelFile.load(file)).getMessage();
        assertTrue(message.contains("the weights do not match the network in the config"), message);
    }

    @Test
    void convolutionWithPaddingWiderThanTheImage() {
        Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor y = x.conv2d(Tensor.ones(1, 1, 7, 7), null, 1, 3);
        assertArrayEquals(new float[] {10, 10, 10, 10}, y.toFloatArray());
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
