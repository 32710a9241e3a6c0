package dev.nabla.fuzz;

import dev.nabla.io.Json;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Mutations of JSON text: structural ones on the parsed tree (numbers replaced with huge, negative or fractional
 * values, keys dropped, duplicated or renamed, dtypes and layer types swapped, values swapped between places, JSON
 * nested in a string mutated in turn) and textual ones (characters that matter to a JSON reader inserted, replaced
 * or deleted, deep nesting, long numbers).
 */
final class JsonMutations {
    private static final Object[] NUMBERS = {0L, -1L, 1L, 2L, 3L, 8L, 255L, 65_536L, 1_000_000L, 100_000_000L,
            (long) Integer.MAX_VALUE, (long) Integer.MAX_VALUE + 1, (long) Integer.MIN_VALUE, Long.MAX_VALUE,
            Long.MIN_VALUE, 1L << 53, 0.5, -0.0, 1.5, 1e308, 1e-320, 3.0,
            new BigInteger("9223372036854775808"), new BigInteger("-99999999999999999999")};
    private static final String[] STRINGS = {"", "F32", "F64", "I64", "BF16", "U8", "F16", "BOOL", "f32",
            "__metadata__", "dtype", "shape", "data_offsets", "format", "format_version", "config", "nabla-model",
            "nabla-checkpoint", "1", "2", "-1", "NaN", "Infinity", "Sequential", "Linear", "Flatten", "ReLU",
            "Conv2d", "MaxPool2d", "BatchNorm1d", "LayerNorm", "Dropout", "Softmax", "relu", "softmax", "same",
            "valid", "type", "layers", "in", "out", "kernel", "stride", "padding", "groups", "version",
            "input_shape", "network", "model.0.weight", "optimizer.step", "\u0000", "\ud800", "é"};
    private static final String[] TOKENS = {"{", "}", "[", "]", "\"", ",", ":", " ", "\n", "\\", "\\u", "\\ud800",
            "\\u0000", "-", "0", "1", "e", "E", ".", "+", "1e999", "-0", "01", "true", "null", "fals", "\u0000",
            "\ufeff", "\u2028", "99999999999999999999999", "1e-99999", "0.000000000000000000000001"};
    private static final String DUPLICATE = "\u0001duplicate\u0001";

    private JsonMutations() {}

    /** One to three structural mutations of valid JSON text, then sometimes a textual one. */
    static String mutate(String json, SplittableRandom random) {
        String text = json;
        int count = 1 + random.nextInt(3);
        for (int k = 0; k < count; k++) {
            text = structural(text, random);
        }
        return random.nextInt(4) == 0 ? textual(text, random) : text;
    }

    /** One structural mutation of a random place in the tree; the text itself when it is not valid JSON. */
    static String structural(String json, SplittableRandom random) {
        Object root;
        try {
            root = Json.parse(json);
        } catch (IllegalArgumentException e) {
            return textual(json, random);
        }
        List<Object[]> places = new ArrayList<>(); // {container, key or index}
        collect(root, places);
        if (places.isEmpty()) {
            return Json.write(anyValue(random));
        }
        List<Object[]> nested = places.stream().filter(p -> isJsonText(get(p))).toList();
        boolean deeper = !nested.isEmpty() && random.nextBoolean();
        Object[] place = deeper ? nested.get(random.nextInt(nested.size())) : places.get(random.nextInt(places.size()));
        Object old = get(place);
        String marker = null;
        switch (deeper ? 6 : random.nextInt(8)) {
            case 0 -> set(place, NUMBERS[random.nextInt(NUMBERS.length)]);
            case 1 -> set(place, STRINGS[random.nextInt(STRINGS.length)]);
            case 2 -> remove(place);
            case 3 -> { // a second copy of this key or element
                if (place[0] instanceof List<?> list) {
                    cast(list).add((int) place[1], old);
                } else {
                    marker = DUPLICATE + place[1];
                    cast((Map<?, ?>) place[0]).put(marker, old);
                }
            }
            case 4 -> { // swap with another place
                Object[] other = places.get(random.nextInt(places.size()));
                Object otherValue = get(other);
                set(other, old);
                set(place, otherValue);
            }
            case 5 -> { // rename a key
                if (place[0] instanceof Map<?, ?> map) {
                    Map<String, Object> renamed = new LinkedHashMap<>();
                    String name = STRINGS[random.nextInt(STRINGS.length)];
                    map.forEach((k, v) -> renamed.putIfAbsent(k.equals(place[1]) ? name : (String) k, v));
                    map.clear();
                    cast(map).putAll(renamed);
                } else {
                    set(place, new ArrayList<>(Collections.singletonList(old)));
                }
            }
            case 6 -> { // JSON inside a string (model config, checkpoint fields): mutate it in turn
                if (isJsonText(old)) {
                    set(place, structural((String) old, random));
                } else {
                    set(place, anyValue(random));
                }
            }
            default -> set(place, anyValue(random));
        }
        String out;
        try {
            out = Json.write(root);
        } catch (IllegalArgumentException e) {
            return json;
        }
        if (marker != null) {
            out = out.replace(Json.quote(marker), Json.quote((String) place[1]));
        }
        return out;
    }

    /** Inserts, replaces or deletes characters that matter to a JSON reader, or truncates. */
    static String textual(String text, SplittableRandom random) {
        StringBuilder sb = new StringBuilder(text);
        int at = sb.length() == 0 ? 0 : random.nextInt(sb.length() + 1);
        String token = TOKENS[random.nextInt(TOKENS.length)];
        switch (random.nextInt(6)) {
            case 0 -> sb.insert(at, token);
            case 1 -> sb.replace(at, Math.min(sb.length(), at + 1 + random.nextInt(4)), token);
            case 2 -> sb.delete(at, Math.min(sb.length(), at + 1 + random.nextInt(8)));
            case 3 -> sb.setLength(at);
            case 4 -> sb.insert(at, (random.nextBoolean() ? "[" : "{\"a\":").repeat(100 + random.nextInt(60)));
            default -> sb.insert(at, "9".repeat(1 + random.nextInt(400)));
        }
        return sb.toString();
    }

    private static boolean isJsonText(Object value) {
        return value instanceof String s && (s.startsWith("{") || s.startsWith("["));
    }

    private static Object anyValue(SplittableRandom random) {
        return switch (random.nextInt(8)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> new ArrayList<>();
            case 3 -> new LinkedHashMap<>();
            case 4 -> new ArrayList<>(List.of(NUMBERS[random.nextInt(NUMBERS.length)]));
            case 5 -> new ArrayList<>(List.of(-1L, 1L << 40));
            case 6 -> STRINGS[random.nextInt(STRINGS.length)];
            default -> NUMBERS[random.nextInt(NUMBERS.length)];
        };
    }

    private static void collect(Object node, List<Object[]> places) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                places.add(new Object[] {map, e.getKey()});
                collect(e.getValue(), places);
            }
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                places.add(new Object[] {list, i});
                collect(list.get(i), places);
            }
        }
    }

    private static Object get(Object[] place) {
        return place[0] instanceof Map<?, ?> map ? map.get(place[1]) : ((List<?>) place[0]).get((int) place[1]);
    }

    private static void set(Object[] place, Object value) {
        if (place[0] instanceof Map<?, ?> map) {
            cast(map).put((String) place[1], value);
        } else {
            cast((List<?>) place[0]).set((int) place[1], value);
        }
    }

    private static void remove(Object[] place) {
        if (place[0] instanceof Map<?, ?> map) {
            map.remove(place[1]);
        } else {
            ((List<?>) place[0]).remove((int) place[1]);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> cast(List<?> list) {
        return (List<Object>) list;
    }
}
