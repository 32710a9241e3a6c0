package dev.nabla.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One layer's settings as read back from a model file, given to the layer's {@link Layers.Factory}: typed getters
 * whose errors name the layer, its place in the network and the field, so a bad file says exactly what is wrong.
 *
 * <p>{@link Layers} rejects any field the factory did not read, so a misspelt or unsupported setting is never
 * silently ignored.
 */
public final class LayerConfig {
    private final Layers layers;
    private final String path;
    private final String type;
    private final Map<String, Object> fields;
    private final Set<String> read = new LinkedHashSet<>();

    LayerConfig(Layers layers, String path, String type, Map<String, Object> fields) {
        this.layers = layers;
        this.path = path;
        this.type = type;
        this.fields = fields;
    }

    /** The layer type, e.g. "Linear". */
    public String type() {
        return type;
    }

    /** Where the layer sits, e.g. "network.layers[1]". */
    public String path() {
        return path;
    }

    /** True when the field is present. */
    public boolean has(String field) {
        read.add(field);
        return fields.containsKey(field);
    }

    /** A required integer field. */
    public int getInt(String field) {
        return toInt(field, required(field));
    }

    /** An optional integer field. */
    public int getInt(String field, int defaultValue) {
        return has(field) ? getInt(field) : defaultValue;
    }

    /** A required number field. */
    public double getDouble(String field) {
        Object value = required(field);
        if (!(value instanceof Number) || !Double.isFinite(((Number) value).doubleValue())) {
            throw error(field, "must be a finite number, got " + describe(value));
        }
        return ((Number) value).doubleValue();
    }

    /** An optional number field. */
    public double getDouble(String field, double defaultValue) {
        return has(field) ? getDouble(field) : defaultValue;
    }

    /** An optional boolean field. */
    public boolean getBoolean(String field, boolean defaultValue) {
        if (!has(field)) {
            return defaultValue;
        }
        Object value = required(field);
        if (!(value instanceof Boolean)) {
            throw error(field, "must be true or false, got " + describe(value));
        }
        return (Boolean) value;
    }

    /** A required string field. */
    public String getString(String field) {
        Object value = required(field);
        if (!(value instanceof String)) {
            throw error(field, "must be a string, got " + describe(value));
        }
        return (String) value;
    }

    /** An optional string field. */
    public String getString(String field, String defaultValue) {
        return has(field) ? getString(field) : defaultValue;
    }

    /** A required list of integers. */
    public int[] getInts(String field) {
        Object value = required(field);
        if (!(value instanceof List)) {
            throw error(field, "must be a list of integers, got " + describe(value));
        }
        List<?> list = (List<?>) value;
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toInt(field + "[" + i + "]", list.get(i));
        }
        return out;
    }

    /** An optional list of integers. */
    public int[] getInts(String field, int[] defaultValue) {
        return has(field) ? getInts(field) : defaultValue;
    }

    /** True when the field is present and holds a string (for settings that are a name or numbers). */
    public boolean isString(String field) {
        return has(field) && fields.get(field) instanceof String;
    }

    /** A required list of layer configs, each built with the same registry (for containers such as Sequential). */
    public List<Module> getLayers(String field) {
        Object value = required(field);
        if (!(value instanceof List)) {
            throw error(field, "must be a list of layer configs, got " + describe(value));
        }
        List<?> list = (List<?>) value;
        List<Module> modules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            modules.add(layers.fromConfig(list.get(i), path + "." + field + "[" + i + "]"));
        }
        return modules;
    }

    /** An error about one field of this layer, for checks a factory makes itself. */
    public IllegalArgumentException error(String field, String problem) {
        return new IllegalArgumentException(path + " (" + type + "): field '" + field + "' " + problem);
    }

    /** Fields present that no getter read. */
    Set<String> unread() {
        Set<String> unread = new LinkedHashSet<>(fields.keySet());
        unread.removeAll(read);
        return unread;
    }

    /** Fields the factory read, for the unknown-field message. */
    Set<String> readFields() {
        return Collections.unmodifiableSet(read);
    }

    private Object required(String field) {
        read.add(field);
        if (!fields.containsKey(field)) {
            throw new IllegalArgumentException(path + " (" + type + "): field '" + field + "' is missing");
        }
        return fields.get(field);
    }

    private int toInt(String field, Object value) {
        boolean integral = value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte;
        if (!integral || ((Number) value).longValue() != ((Number) value).intValue()) {
            throw error(field, "must be an integer, got " + describe(value));
        }
        return ((Number) value).intValue();
    }

    private static String describe(Object value) {
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }
}
