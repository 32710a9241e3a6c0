package dev.nabla.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The layer types a model file can name, each with a factory that rebuilds the layer from its settings, so a saved
 * network can be reconstructed without Java serialization or reflection.
 *
 * <p>A layer's config is {@code {"type": typeName(), ...module.config()}} ({@link #toConfig}). To make a new layer
 * saveable, e.g. {@code Conv2d}:
 * <ol>
 *   <li>override {@link Module#config()} to return its settings (plain values: numbers, strings, booleans, lists,
 *       maps), not its weights, which are saved by name from {@link Module#stateDict()};</li>
 *   <li>add a static {@code fromConfig(LayerConfig c)} that reads them back with {@link LayerConfig}'s getters and
 *       returns an unbuilt layer (weights are created by {@code build} and then loaded);</li>
 *   <li>add one line to {@link #builtin()}'s table: {@code .with("Conv2d", Conv2d::fromConfig)}.</li>
 * </ol>
 * A layer defined outside this library is registered the same way on a copy of the registry, without global state:
 * {@code Model.load(path, Layers.builtin().with("MyLayer", MyLayer::fromConfig))}.
 *
 * <p>Errors name the layer's place in the network and the field: an unknown type, a missing or mistyped field, and
 * any field the factory did not read.
 */
public final class Layers {
    /** Rebuilds a layer from its config. */
    @FunctionalInterface
    public interface Factory {
        Module create(LayerConfig config);
    }

    private static final Layers BUILTIN = new Layers(Map.of())
            .with("Sequential", c -> new Sequential(c.getLayers("layers").toArray(Module[]::new)))
            .with("Linear", Linear::fromConfig)
            .with("Flatten", c -> new Flatten())
            .with("ReLU", c -> new ReLU())
            .with("Sigmoid", c -> new Sigmoid())
            .with("Tanh", c -> new Tanh())
            .with("GELU", c -> new GELU())
            .with("LeakyReLU", c -> new LeakyReLU(c.getDouble("slope", 0.01)))
            .with("Softmax", c -> new Softmax(c.getInt("dim", -1)))
            .with("Conv1d", Conv1d::fromConfig)
            .with("Conv2d", Conv2d::fromConfig)
            .with("MaxPool2d", MaxPool2d::fromConfig)
            .with("AvgPool2d", AvgPool2d::fromConfig)
            .with("GlobalAvgPool2d", c -> new GlobalAvgPool2d())
            .with("ZeroPad2d", ZeroPad2d::fromConfig)
            .with("Dropout", Dropout::fromConfig)
            .with("BatchNorm1d", BatchNorm1d::fromConfig)
            .with("BatchNorm2d", BatchNorm2d::fromConfig)
            .with("LayerNorm", LayerNorm::fromConfig)
            .with("Embedding", Embedding::fromConfig)
            .with("PositionalEmbedding", PositionalEmbedding::fromConfig)
            .with("RNN", RNN::fromConfig)
            .with("LSTM", LSTM::fromConfig)
            .with("GRU", GRU::fromConfig)
            .with("MultiHeadAttention", MultiHeadAttention::fromConfig)
            .with("TransformerEncoderLayer", TransformerEncoderLayer::fromConfig)
            .with("TransformerDecoderLayer", TransformerDecoderLayer::fromConfig);

    private final Map<String, Factory> factories;

    private Layers(Map<String, Factory> factories) {
        this.factories = Collections.unmodifiableMap(new LinkedHashMap<>(factories));
    }

    /** The layers of this library. */
    public static Layers builtin() {
        return BUILTIN;
    }

    /** A registry with one more type; this one is unchanged. A type can be registered once. */
    public Layers with(String type, Factory factory) {
        if (type == null || type.isEmpty() || factory == null) {
            throw new IllegalArgumentException("Layers.with: type and factory are required, got " + type + ", "
                    + factory);
        }
        if (factories.containsKey(type)) {
            throw new IllegalArgumentException("Layers.with: layer type '" + type + "' is already registered");
        }
        Map<String, Factory> more = new LinkedHashMap<>(factories);
        more.put(type, factory);
        return new Layers(more);
    }

    /** The registered type names, sorted. */
    public Set<String> types() {
        return Collections.unmodifiableSet(new TreeSet<>(factories.keySet()));
    }

    /** A module's config: its type name and its settings. */
    public static Map<String, Object> toConfig(Module module) {
        Map<String, Object> settings = module.config();
        if (settings.containsKey("type")) {
            throw new IllegalStateException(module.typeName() + ".config() must not contain the key 'type'");
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("type", module.typeName());
        config.putAll(settings);
        return config;
    }

    /** Rebuilds an (unbuilt) module from a config made by {@link #toConfig}; {@code path} names it in errors. */
    public Module fromConfig(Object config, String path) {
        if (!(config instanceof Map)) {
            throw new IllegalArgumentException(path + ": a layer config must be an object, got " + config);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) config).entrySet()) {
            fields.put(String.valueOf(e.getKey()), e.getValue());
        }
        Object type = fields.remove("type");
        if (!(type instanceof String)) {
            throw new IllegalArgumentException(path + ": field 'type' " + (type == null ? "is missing"
                    : "must be a string, got " + type) + "; known types: " + types());
        }
        Factory factory = factories.get(type);
        if (factory == null) {
            throw new IllegalArgumentException(path + ": unknown layer type '" + type + "'; known types: " + types()
                    + " (register others with Layers.builtin().with(type, factory))");
        }
        LayerConfig c = new LayerConfig(this, path, (String) type, fields);
        Module module;
        try {
            module = factory.create(c);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (message.startsWith(path)) {
                throw e;
            }
            throw new IllegalArgumentException(path + " (" + type + "): " + message, e);
        }
        Set<String> unread = c.unread();
        if (!unread.isEmpty()) {
            throw new IllegalArgumentException(path + " (" + type + "): unknown field" + (unread.size() > 1 ? "s " : " ")
                    + unread + (c.readFields().isEmpty() ? "; this layer has no settings"
                    : "; known fields: " + c.readFields()));
        }
        return module;
    }
}
