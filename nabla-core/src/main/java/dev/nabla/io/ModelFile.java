package dev.nabla.io;

import dev.nabla.nn.Layers;
import dev.nabla.nn.Module;
import dev.nabla.tensor.AllocationLimit;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole model in one safetensors file: the architecture as versioned JSON in the metadata and the weights as the
 * tensors, so a model can be saved, shipped and rebuilt without Java serialization, and its weights read by any
 * safetensors reader.
 *
 * <p>The {@code __metadata__} holds {@code "format": "nabla-model"}, {@code "format_version": "1"} and
 * {@code "config"}, a JSON object {@code {"version": 1, "input_shape": [28, 28], "network": {"type":
 * "Sequential", "layers": [...]}}} where each layer is {@link Layers#toConfig}. The tensors are the network's
 * {@link Module#stateDict()} under its names ("1.weight"). Loading rebuilds the network from the config through a
 * {@link Layers} registry, builds it for the input shape and loads the weights strictly, so the loaded network
 * computes exactly what the saved one did.
 */
public final class ModelFile {
    /** The value of the metadata field "format". */
    public static final String FORMAT = "nabla-model";
    /** The value of the metadata field "format_version" this version writes and reads. */
    public static final String FORMAT_VERSION = "1";
    /** The "version" inside the config JSON this version writes and reads. */
    public static final long CONFIG_VERSION = 1;
    /**
     * Most elements one example of {@code input_shape} may have (3 × 1024 × 1024 fits): loading builds the network
     * by running it on one such example, so a hostile file must not choose its size.
     */
    public static final long MAX_INPUT_ELEMENTS = 1 << 22;

    /**
     * Building a network from a file may allocate twice the file's weights plus this many elements (its trial
     * forward pass on one example); a config asking for more is refused before the allocation, not by the heap.
     */
    public static final long MAX_BUILD_ACTIVATIONS = 1L << 26;

    private ModelFile() {}

    /** A network read from a model file, built for its input shape, with the weights loaded. */
    public record Loaded(Module network, int[] inputShape, int[] outputShape, Map<String, String> metadata) {}

    /** Atomically writes the network's architecture, input shape (without batch dimension) and weights. */
    public static void save(Path file, Module network, int[] inputShape) throws IOException {
        save(file, network, inputShape, Map.of());
    }

    /**
     * Saves as {@link #save(Path, Module, int[])} with extra metadata fields kept beside the model (for example a
     * language model's tokenizer); {@link Loaded#metadata()} returns them.
     */
    public static void save(Path file, Module network, int[] inputShape, Map<String, String> extra) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>(extra);
        metadata.put("format", FORMAT);
        metadata.put("format_version", FORMAT_VERSION);
        metadata.put("config", config(network, inputShape));
        Safetensors.write(file, network.stateDict(), metadata);
    }

    /** The metadata field "config": the architecture and input shape as JSON text (checkpoints store it too). */
    static String config(Module network, int[] inputShape) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("version", CONFIG_VERSION);
        List<Object> shape = new ArrayList<>();
        for (int s : inputShape) {
            shape.add(s);
        }
        config.put("input_shape", shape);
        config.put("network", Layers.toConfig(network));
        return Json.write(config);
    }

    /** Reads a model file with the built-in layer types. */
    public static Loaded load(Path file) throws IOException {
        return load(file, Layers.builtin());
    }

    /** Reads a model file, rebuilding layers with the given registry (for layers defined outside this library). */
    public static Loaded load(Path file, Layers layers) throws IOException {
        Safetensors.Contents contents = Safetensors.read(file);
        Map<String, String> metadata = contents.metadata();
        String format = metadata.get("format");
        if (!FORMAT.equals(format)) {
            throw new ModelFileException(file, format == null
                    ? "no metadata field 'format': not a Nabla model file (read plain tensors with Safetensors.read)"
                    : "metadata field 'format' is '" + format + "', expected '" + FORMAT + "'");
        }
        String version = metadata.get("format_version");
        if (!FORMAT_VERSION.equals(version)) {
            throw new ModelFileException(file, "metadata field 'format_version' is "
                    + (version == null ? "missing" : "'" + version + "'") + "; this version of Nabla reads '"
                    + FORMAT_VERSION + "'");
        }
        String configText = metadata.get("config");
        if (configText == null) {
            throw new ModelFileException(file, "no metadata field 'config' describing the network");
        }
        Object parsed;
        try {
            parsed = Json.parse(configText);
        } catch (JsonException e) {
            throw new ModelFileException(file, "metadata field 'config' is not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map)) {
            throw new ModelFileException(file, "metadata field 'config' is a JSON " + Json.kind(parsed)
                    + ", expected an object");
        }
        Map<?, ?> config = (Map<?, ?>) parsed;
        for (Object key : config.keySet()) {
            if (!key.equals("version") && !key.equals("input_shape") && !key.equals("network")) {
                throw new ModelFileException(file, "config has an unknown field '" + key
                        + "' (expected version, input_shape, network)");
            }
        }
        Object configVersion = config.get("version");
        if (!Long.valueOf(CONFIG_VERSION).equals(configVersion)) {
            throw new ModelFileException(file, "config.version is " + Json.write(configVersion)
                    + "; this version of Nabla reads " + CONFIG_VERSION);
        }
        int[] inputShape = inputShape(file, config.get("input_shape"));
        if (!config.containsKey("network")) {
            throw new ModelFileException(file, "config has no field 'network'");
        }
        Module network;
        int[] outputShape;
        long weights = 0;
        for (Tensor t : contents.tensors().values()) {
            weights += t.numel();
        }
        try (var limit = AllocationLimit.of(2 * weights + MAX_BUILD_ACTIVATIONS, file + ": the config")) {
            network = layers.fromConfig(config.get("network"), "config.network");
            outputShape = network.build(inputShape.clone(), new Generator(0));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, e.getMessage(), e);
        }
        try {
            network.loadStateDict(contents.tensors(), true);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "the weights do not match the network in the config: "
                    + e.getMessage(), e);
        }
        return new Loaded(network, inputShape, outputShape, metadata);
    }

    private static int[] inputShape(Path file, Object value) throws ModelFileException {
        if (!(value instanceof List)) {
            throw new ModelFileException(file, "config.input_shape is " + (value == null ? "missing" : "a JSON "
                    + Json.kind(value)) + ", expected an array of positive integers");
        }
        List<?> list = (List<?>) value;
        int[] shape = new int[list.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            Object d = list.get(i);
            if (!(d instanceof Long) || (Long) d <= 0 || (Long) d > Integer.MAX_VALUE) {
                throw new ModelFileException(file, "config.input_shape[" + i + "] is " + Json.write(d)
                        + ", expected a positive integer");
            }
            shape[i] = (int) (long) (Long) d;
            numel *= shape[i];
            if (numel > MAX_INPUT_ELEMENTS) {
                throw new ModelFileException(file, "config.input_shape " + Json.write(list) + " has more than "
                        + MAX_INPUT_ELEMENTS + " elements per example, the most a model file may declare");
            }
        }
        return shape;
    }
}
