package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.Activation;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.GELU;
import dev.nabla.nn.LayerConfig;
import dev.nabla.nn.Layers;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Softmax;
import dev.nabla.nn.Tanh;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model files: save → load predicts bit-identically, the config describes every layer, and bad files say why. */
class ModelFileTest {
    @TempDir
    Path dir;

    private static Model seedMlp() {
        return Model.sequential(new Flatten(), Linear.dense(256, Activation.RELU), Linear.dense(128, Activation.RELU),
                Linear.dense(10, Activation.SOFTMAX)).build(new Generator(1), 28, 28);
    }

    private static void assertBitIdentical(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]), "element " + i);
        }
    }

    @Test
    void seedMlpSavedAndLoadedPredictsBitIdentically() throws IOException {
        Model model = seedMlp();
        Path file = dir.resolve("mnist.safetensors");
        model.save(file);
        Model loaded = Model.load(file);

        Tensor x = Tensor.rand(new Generator(5), 64, 28, 28);
        assertBitIdentical(model.predict(x, 32), loaded.predict(x, 32));
        assertArrayEquals(new int[] {28, 28}, loaded.inputShape());
        assertEquals(model.summary(), loaded.summary());
        assertEquals(model.network().toString(), loaded.network().toString());
        model.network().stateDict().forEach((name, t) -> assertBitIdentical(t, loaded.network().stateDict().get(name)));
    }

    @Test
    void fileHoldsFormatVersionedConfigAndStateDictNames() throws IOException {
        Path file = dir.resolve("mnist.safetensors");
        seedMlp().save(file);
        Safetensors.Contents c = Safetensors.read(file);
        assertEquals("nabla-model", c.metadata().get("format"));
        assertEquals("1", c.metadata().get("format_version"));
        assertEquals("{\"version\":1,\"input_shape\":[28,28],\"network\":{\"type\":\"Sequential\",\"layers\":["
                + "{\"type\":\"Flatten\"},"
                + "{\"type\":\"Linear\",\"in\":784,\"out\":256,\"activation\":\"relu\",\"bias\":true},"
                + "{\"type\":\"Linear\",\"in\":256,\"out\":128,\"activation\":\"relu\",\"bias\":true},"
                + "{\"type\":\"Linear\",\"in\":128,\"out\":10,\"activation\":\"softmax\",\"bias\":true}]}}",
                c.metadata().get("config"));
        assertEquals(java.util.Set.of("1.weight", "1.bias", "2.weight", "2.bias", "3.weight", "3.bias"),
                c.tensors().keySet());
        assertArrayEquals(new int[] {256, 784}, c.tensors().get("1.weight").shape());
    }

    @Test
    void everyBuiltInLayerRoundTrips() throws IOException {
        Generator g = new Generator(3);
        Sequential inner = new Sequential(new LeakyReLU(0.2), new Linear(6, 6, Activation.TANH, false,
                dev.nabla.nn.Init.HE_NORMAL, dev.nabla.nn.Init.ZEROS, g), new GELU());
        Model model = Model.sequential(new Flatten(), Linear.dense(6, Activation.LEAKY_RELU), inner, new ReLU(),
                Linear.dense(5, Activation.GELU), new Sigmoid(), new Tanh(), Linear.dense(4), new Softmax(1))
                .build(g, 2, 3);
        Path file = dir.resolve("all.safetensors");
        model.save(file);
        Model loaded = Model.load(file);
        assertEquals(Layers.toConfig(model.network()), Layers.toConfig(loaded.network()));
        Tensor x = Tensor.randn(new Generator(9), 16, 2, 3);
        assertBitIdentical(model.predict(x, 16), loaded.predict(x, 16));
    }

    @Test
    void configsRebuildEachLayerWithItsSettings() {
        Layers layers = Layers.builtin();
        Module leaky = layers.fromConfig(Map.of("type", "LeakyReLU", "slope", 0.3), "x");
        assertEquals("LeakyReLU(slope=0.3)", leaky.toString());
        assertEquals("Softmax(dim=0)", layers.fromConfig(Map.of("type", "Softmax", "dim", 0L), "x").toString());
        assertEquals("Softmax(dim=-1)", layers.fromConfig(Map.of("type", "Softmax"), "x").toString());
        Module linear = layers.fromConfig(Map.of("type", "Linear", "out", 3L, "bias", false), "x");
        assertEquals("Linear(in=-1, out=3, bias=false)", linear.toString());
        assertEquals(List.of(3), List.of(((Linear) linear).build(new int[] {7}, new Generator(0))[0]));
        assertNull(((Linear) linear).bias());
        assertEquals(List.of("AvgPool2d", "BatchNorm1d", "BatchNorm2d", "Conv1d", "Conv2d", "Dropout", "Embedding",
                "Flatten", "GELU", "GRU", "GlobalAvgPool2d", "LSTM", "LayerNorm", "LeakyReLU", "Linear", "MaxPool2d",
                "MultiHeadAttention", "PositionalEmbedding", "RNN", "ReLU", "Sequential", "Sigmoid", "Softmax", "Tanh",
                "TransformerDecoderLayer", "TransformerEncoderLayer", "ZeroPad2d"), List.copyOf(layers.types()));
    }

    // ---------------------------------------------------------------- errors

    /** A model file whose config is {@code config}, with the seed MLP's weights. */
    private Path withConfig(String config) throws IOException {
        Path file = Files.createTempFile(dir, "bad", ".safetensors");
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "nabla-model");
        metadata.put("format_version", "1");
        metadata.put("config", config);
        Safetensors.write(file, seedMlp().network().stateDict(), metadata);
        return file;
    }

    private static String layers(String... layers) {
        return "{\"version\":1,\"input_shape\":[28,28],\"network\":{\"type\":\"Sequential\",\"layers\":["
                + String.join(",", layers) + "]}}";
    }

    private static final String FLATTEN = "{\"type\":\"Flatten\"}";
    private static final String L1 = "{\"type\":\"Linear\",\"out\":256,\"activation\":\"relu\"}";
    private static final String L2 = "{\"type\":\"Linear\",\"out\":128,\"activation\":\"relu\"}";
    private static final String L3 = "{\"type\":\"Linear\",\"out\":10,\"activation\":\"softmax\"}";

    private static void assertLoadFails(Path file, String... fragments) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> Model.load(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
    }

    @Test
    void handWrittenConfigWithoutInputSizesLoads() throws IOException {
        Model loaded = Model.load(withConfig(layers(FLATTEN, L1, L2, L3)));
        Tensor x = Tensor.rand(new Generator(2), 4, 28, 28);
        assertBitIdentical(seedMlp().predict(x, 4), loaded.predict(x, 4));
    }

    @Test
    void unknownLayerTypeNamesItsPlaceAndTheKnownTypes() throws IOException {
        assertLoadFails(withConfig(layers(FLATTEN, "{\"type\":\"Conv3d\",\"filters\":8}", L2, L3)),
                "config.network.layers[1]: unknown layer type 'Conv3d'", "known types: [AvgPool2d, BatchNorm1d,",
                "Layers.builtin().with(type, factory)");
        assertLoadFails(withConfig(layers(FLATTEN, "{\"out\":256}", L2, L3)),
                "config.network.layers[1]: field 'type' is missing");
    }

    @Test
    void badFieldsAreNamed() throws IOException {
        assertLoadFails(withConfig(layers(FLATTEN, "{\"type\":\"Linear\",\"out\":-3}", L2, L3)),
                "config.network.layers[1] (Linear): field 'out' must be a positive integer, got -3");
        assertLoadFails(withConfig(layers(FLATTEN, "{\"type\":\"Linear\",\"out\":\"256\"}", L2, L3)),
                "field 'out' must be an integer, got \"256\"");
        assertLoadFails(withConfig(layers(FLATTEN, "{\"type\":\"Linear\",\"out\":256,\"activation\":\"swish\"}", L2,
                L3)), "field 'activation' is invalid: unknown activation 'swish'");
        assertLoadFails(withConfig(layers(FLATTEN, "{\"type\":\"Linear\",\"unitz\":256,\"out\":256}", L2, L3)),
                "(Linear): unknown field [unitz]; known fields: [out, in, activation, bias]");
        assertLoadFails(withConfig(layers("{\"type\":\"Flatten\",\"x\":1}", L1, L2, L3)),
                "(Flatten): unknown field [x]; this layer has no settings");
        assertLoadFails(withConfig(layers(FLATTEN, "{\"type\":\"Linear\",\"in\":100,\"out\":256}", L2, L3)),
                "input shape [784] has 784 features, the config says 100");
        assertLoadFails(withConfig(layers(FLATTEN, "{\"type\":\"LeakyReLU\",\"slope\":true}", L1, L2, L3)),
                "field 'slope' must be a finite number, got true");
    }

    @Test
    void weightsMustMatchTheConfig() throws IOException {
        assertLoadFails(withConfig(layers(FLATTEN, L1, L2)), "do not match", "unexpected keys [3.bias, 3.weight]");
        assertLoadFails(withConfig(layers(FLATTEN, L1, L2, L3, "{\"type\":\"Linear\",\"out\":2}")), "do not match",
                "missing keys [4.bias, 4.weight]");
        assertLoadFails(withConfig(layers(FLATTEN, L1, "{\"type\":\"Linear\",\"out\":127}", L3)),
                "'2.weight' has shape [128, 256] in the state but [127, 256] in the model");
    }

    @Test
    void metadataMustSayNablaModelVersionOne() throws IOException {
        Path plain = dir.resolve("plain.safetensors");
        Safetensors.write(plain, Map.of("w", Tensor.ones(2)), Map.of("format", "pt"));
        assertLoadFails(plain, "metadata field 'format' is 'pt', expected 'nabla-model'");
        Safetensors.write(plain, Map.of("w", Tensor.ones(2)), null);
        assertLoadFails(plain, "not a Nabla model file");
        Safetensors.write(plain, Map.of(), Map.of("format", "nabla-model", "format_version", "2", "config", "{}"));
        assertLoadFails(plain, "'format_version' is '2'; this version of Nabla reads '1'");
        assertLoadFails(withConfig("{\"version\":1,"), "metadata field 'config' is not valid JSON", "expected a string key, found end of input at line 1, column 14");
        assertLoadFails(withConfig("{\"version\":2,\"input_shape\":[28,28],\"network\":{}}"), "config.version is 2");
        assertLoadFails(withConfig("{\"version\":1,\"input_shape\":[28,-28],\"network\":{}}"),
                "config.input_shape[1] is -28");
        assertLoadFails(withConfig("{\"version\":1,\"input_shape\":[28,28]}"), "config has no field 'network'");
        assertLoadFails(withConfig("{\"version\":1,\"input_shape\":[28,28],\"network\":{},\"extra\":0}"),
                "unknown field 'extra'");
    }

    // ---------------------------------------------------------------- custom layers and failures

    /** A layer defined outside the library: multiplies by a constant. */
    static final class Scale extends Module {
        private final double factor;

        Scale(double factor) {
            this.factor = factor;
        }

        static Scale fromConfig(LayerConfig c) {
            return new Scale(c.getDouble("factor"));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(factor);
        }

        @Override
        public Map<String, Object> config() {
            return Map.of("factor", factor);
        }
    }

    @Test
    void customLayersLoadWithAnExtendedRegistry() throws IOException {
        Model model = Model.sequential(Linear.dense(3), new Scale(2.5)).build(new Generator(4), 2);
        Path file = dir.resolve("custom.safetensors");
        model.save(file);
        assertLoadFails(file, "unknown layer type 'Scale'");
        Layers layers = Layers.builtin().with("Scale", Scale::fromConfig);
        Model loaded = Model.load(file, layers);
        Tensor x = Tensor.randn(new Generator(1), 5, 2);
        assertBitIdentical(model.predict(x, 5), loaded.predict(x, 5));
        assertFalse(Layers.builtin().types().contains("Scale"), "the built-in registry is unchanged");
        assertThrows(IllegalArgumentException.class, () -> layers.with("Scale", Scale::fromConfig));
    }

    @Test
    void failedSaveLeavesThePreviousFileIntact() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Model good = seedMlp();
        good.save(file);
        byte[] before = Files.readAllBytes(file);
        Model unsavable = Model.sequential(Linear.dense(3), new Scale(Double.NaN)).build(new Generator(4), 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> unsavable.save(file));
        assertTrue(e.getMessage().contains("$.network.layers[1].factor is NaN"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        Tensor x = Tensor.rand(new Generator(2), 3, 28, 28);
        assertBitIdentical(good.predict(x, 3), Model.load(file).predict(x, 3));
    }

    @Test
    void unbuiltModelCannotBeSaved() {
        Model model = Model.sequential(Linear.dense(3));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> model.save(dir.resolve("m.safetensors")));
        assertTrue(e.getMessage().contains("not built"), e.getMessage());
    }

    @Test
    void aConfigAskingForHugeActivationsIsRefusedBeforeAllocating(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("pad.safetensors");
        Module net = new Sequential(new dev.nabla.nn.ZeroPad2d(1), new Flatten());
        net.build(new int[] {1, 4, 4}, new Generator(0));
        ModelFile.save(file, net, new int[] {1, 4, 4});
        Safetensors.Contents good = Safetensors.read(file);
        Map<String, String> hostile = new LinkedHashMap<>(good.metadata());
        // 1 × 40,002 × 40,002 floats (6.4 GB) from a 4×4 input: what the file claims, never allocated
        String config = hostile.get("config");
        for (String side : List.of("top", "bottom", "left", "right")) {
            config = config.replace("\"" + side + "\":1", "\"" + side + "\":20000");
        }
        assertTrue(config.contains("20000"), config);
        hostile.put("config", config);
        Path bad = dir.resolve("hostile.safetensors");
        Safetensors.write(bad, good.tensors(), hostile);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(bad));
        assertTrue(e.getMessage().contains("hostile.safetensors") && e.getMessage().contains("would allocate more than"),
                e.getMessage());
    }
}
