package dev.nabla.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A small, strict JSON (RFC 8259) reader and writer, so that model files need no dependency.
 *
 * <p>Values map to Java as: object → {@code LinkedHashMap<String, Object>} (in file order), array →
 * {@code List<Object>}, number → {@code Long} when written without fraction or exponent and within the range of a
 * long, else {@code Double}; string → {@code String}; {@code true}/{@code false} → {@code Boolean}; {@code null} →
 * {@code null}.
 *
 * <p>The reader accepts nothing beyond the standard: no comments, trailing commas, single quotes, leading zeros,
 * NaN or Infinity, unescaped control characters, byte-order mark, or duplicate keys in one object. Since its input
 * may be hostile (a downloaded model file), it bounds the text length and the nesting depth, and every error is a
 * {@link JsonException} naming what was expected and where.
 */
public final class Json {
    /** Default bound on the text length, in characters: the header bound of the safetensors reference reader. */
    public static final int DEFAULT_MAX_LENGTH = 100_000_000;
    /** Default bound on the nesting depth of arrays and objects. */
    public static final int DEFAULT_MAX_DEPTH = 128;

    private Json() {}

    /** Parses one JSON value with the default bounds. */
    public static Object parse(CharSequence text) {
        return parse(text, DEFAULT_MAX_LENGTH, DEFAULT_MAX_DEPTH);
    }

    /** Parses one JSON value, refusing texts longer than {@code maxLength} or nested deeper than {@code maxDepth}. */
    public static Object parse(CharSequence text, int maxLength, int maxDepth) {
        if (text == null) {
            throw new IllegalArgumentException("JSON: text is null");
        }
        if (text.length() > maxLength) {
            throw new JsonException("text of " + text.length() + " characters exceeds the limit of " + maxLength, 0,
                    1, 1);
        }
        Reader r = new Reader(text, maxDepth);
        r.skipWhitespace();
        if (r.pos < text.length() && text.charAt(r.pos) == '\uFEFF') {
            throw r.error("a JSON value, not a byte-order mark");
        }
        Object value = r.value(0);
        r.skipWhitespace();
        if (r.pos < text.length()) {
            throw r.error("end of input after the value");
        }
        return value;
    }

    /** Parses a JSON object; fails if the text holds another kind of value. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(CharSequence text) {
        Object value = parse(text);
        if (!(value instanceof Map)) {
            throw new JsonException("expected an object, found " + kind(value), 0, 1, 1);
        }
        return (Map<String, Object>) value;
    }

    /** The JSON kind of a parsed value, for error messages: "object", "array", "string", "number", ... */
    public static String kind(Object value) {
        if (value == null) {
            return "null";
        } else if (value instanceof Map) {
            return "object";
        } else if (value instanceof List) {
            return "array";
        } else if (value instanceof String) {
            return "string";
        } else if (value instanceof Boolean) {
            return "boolean";
        } else if (value instanceof Number) {
            return "number";
        }
        return value.getClass().getName();
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes a value as compact JSON. Maps need string keys and are written in their iteration order when that order
     * is defined ({@code LinkedHashMap}, {@code SortedMap}), in sorted key order otherwise, so the output is
     * deterministic. Numbers must be finite; a {@code Float} is written by its shortest float form ("0.1").
     *
     * @throws IllegalArgumentException for a value JSON cannot hold, naming its path ({@code $.layers[2].units})
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, "$", 0);
        return sb.toString();
    }

    /** The JSON string literal for {@code s}, with quotes. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        writeString(sb, s);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object value, String path, int depth) {
        if (depth > DEFAULT_MAX_DEPTH) {
            throw new IllegalArgumentException("JSON: " + path + " is nested deeper than " + DEFAULT_MAX_DEPTH
                    + " levels (a cycle?)");
        }
        if (value == null) {
            sb.append("null");
        } else if (value instanceof String) {
            writeString(sb, (String) value);
        } else if (value instanceof Boolean) {
            sb.append(value);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger) {
            sb.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("JSON: " + path + " is " + d + ", which JSON cannot hold");
            }
            sb.append(value instanceof Float ? Float.toString((Float) value) : Double.toString(d));
        } else if (value instanceof BigDecimal) {
            sb.append(((BigDecimal) value).toString());
        } else if (value instanceof Map) {
            writeObject(sb, (Map<?, ?>) value, path, depth);
        } else if (value instanceof Collection) {
            sb.append('[');
            int i = 0;
            for (Object element : (Collection<?>) value) {
                if (i > 0) {
                    sb.append(',');
                }
                write(sb, element, path + "[" + i + "]", depth + 1);
                i++;
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("JSON: " + path + " is a " + value.getClass().getName()
                    + "; JSON holds maps, collections, strings, numbers, booleans and null");
        }
    }

    private static void writeObject(StringBuilder sb, Map<?, ?> map, String path, int depth) {
        for (Object key : map.keySet()) {
            if (!(key instanceof String)) {
                throw new IllegalArgumentException("JSON: " + path + " has a key of type "
                        + (key == null ? "null" : key.getClass().getName()) + "; object keys must be strings");
            }
        }
        Map<?, ?> ordered = map instanceof LinkedHashMap || map instanceof SortedMap ? map : new TreeMap<>(map);
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : ordered.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            writeString(sb, (String) e.getKey());
            sb.append(':');
            write(sb, e.getValue(), path + "." + e.getKey(), depth + 1);
        }
        sb.append('}');
    }

    private static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    boolean loneSurrogate = Character.isHighSurrogate(c)
                            ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                            : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || loneSurrogate) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    // ---------------------------------------------------------------- reading

    private static final class Reader {
        private final CharSequence text;
        private final int maxDepth;
        private int pos;

        Reader(CharSequence text, int maxDepth) {
            this.text = text;
            this.maxDepth = maxDepth;
        }

        Object value(int depth) {
            if (pos >= text.length()) {
                throw error("a value");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case '{' -> object(depth + 1);
                case '[' -> array(depth + 1);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("a value (object, array, string, number, true, false or null)");
                }
            };
        }

        private Map<String, Object> object(int depth) {
            checkDepth(depth);
            pos++;
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error("a string key");
                }
                int keyStart = pos;
                String key = string();
                if (map.containsKey(key)) {
                    pos = keyStart;
                    throw error("a unique key, but " + quote(key) + " appears twice in this object");
                }
                skipWhitespace();
                expect(':', "':' after the key " + quote(key));
                skipWhitespace();
                map.put(key, value(depth));
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    pos--;
                    throw error("',' or '}' after the value of " + quote(key));
                }
            }
        }

        private List<Object> array(int depth) {
            checkDepth(depth);
            pos++;
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth));
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    pos--;
                    throw error("',' or ']' after array element " + (list.size() - 1));
                }
            }
        }

        private void checkDepth(int depth) {
            if (depth > maxDepth) {
                throw error("at most " + maxDepth + " levels of nested arrays and objects");
            }
        }

        private String string() {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw error("'\"' to close the string");
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    pos++;
                    return sb.toString();
                }
                if (c < 0x20) {
                    throw error("an escape (\\u" + String.format("%04x", (int) c)
                            + ") instead of a raw control character in a string");
                }
                if (c != '\\') {
                    sb.append(c);
                    pos++;
                    continue;
                }
                pos++;
                char e = peek();
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        int code = 0;
                        for (int k = 1; k <= 4; k++) {
                            int digit = pos + k < text.length() ? Character.digit(text.charAt(pos + k), 16) : -1;
                            if (digit < 0) {
                                pos += k;
                                throw error("four hexadecimal digits after \\u");
                            }
                            code = code * 16 + digit;
                        }
                        sb.append((char) code);
                        pos += 4;
                    }
                    default -> throw error("an escape character (one of \" \\ / b f n r t u) after '\\'");
                }
                pos++;
            }
        }

        private Object number() {
            int start = pos;
            boolean integral = true;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
                if (isDigit(peek())) {
                    throw error("no leading zeros in a number");
                }
            } else {
                digits("a digit");
            }
            if (peek() == '.') {
                integral = false;
                pos++;
                digits("a digit after the decimal point");
            }
            if (peek() == 'e' || peek() == 'E') {
                integral = false;
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                digits("a digit in the exponent");
            }
            String literal = text.subSequence(start, pos).toString();
            if (integral) {
                try {
                    return Long.parseLong(literal);
                } catch (NumberFormatException e) {
                    // Beyond the range of a long: a double, like every JSON number that is not a long.
                }
            }
            double d = Double.parseDouble(literal);
            if (Double.isInfinite(d)) {
                pos = start;
                throw error("a number within the range of a double, got " + abbreviate(literal));
            }
            return d;
        }

        private void digits(String expected) {
            if (!isDigit(peek())) {
                throw error(expected);
            }
            while (isDigit(peek())) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private Object literal(String word, Object value) {
            for (int i = 0; i < word.length(); i++) {
                if (pos + i >= text.length() || text.charAt(pos + i) != word.charAt(i)) {
                    throw error("'" + word + "'");
                }
            }
            pos += word.length();
            return value;
        }

        private void expect(char c, String what) {
            if (peek() != c) {
                throw error(what);
            }
            pos++;
        }

        /** The current character, or 0 at the end of the input (a character no rule accepts). */
        private char peek() {
            return pos < text.length() ? text.charAt(pos) : 0;
        }

        void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        JsonException error(String expected) {
            int line = 1;
            int column = 1;
            for (int i = 0; i < pos && i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            String found = pos >= text.length() ? "end of input" : describe(text.charAt(pos));
            return new JsonException("expected " + expected + ", found " + found, pos, line, column);
        }

        private static String describe(char c) {
            return c < 0x20 || c >= 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'";
        }

        private static String abbreviate(String s) {
            return s.length() <= 40 ? s : s.substring(0, 40) + "...";
        }
    }
}
