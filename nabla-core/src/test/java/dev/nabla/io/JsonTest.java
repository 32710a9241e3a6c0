package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JSON reader and writer: value mapping, round trips, escaping, strictness, positions in errors, bounds. */
class JsonTest {
    @Test
    void readsEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2.5, 1e3, true, false, null, \"x\"], \"b\": {}, \"c\": []}\n");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", Arrays.asList(1L, -2.5, 1000.0, true, false, null, "x"));
        expected.put("b", Map.of());
        expected.put("c", List.of());
        assertEquals(expected, v);
        assertEquals(List.of("a", "b", "c"), new ArrayList<>(((Map<?, ?>) v).keySet()), "file order kept");
    }

    @Test
    void integersAreLongsUnlessTheyHaveAFractionExponentOrOverflow() {
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(9.223372036854775808e18, Json.parse("9223372036854775808"));
        assertEquals(2.0, Json.parse("2.0"));
        assertEquals(200.0, Json.parse("2E2"));
        assertEquals(0L, Json.parse("-0"));
        assertEquals(-0.0, Json.parse("-0.0"));
    }

    @Test
    void readsEscapesAndUnicode() {
        assertEquals("\"\\/\b\f\n\r\t\u00e9\u2713\uD83D\uDE00",
                Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\u2713\\ud83d\\uDE00\""));
    }

    @Test
    void roundTripsValuesExactly() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("z", "first key stays first");
        value.put("text", "quote \" backslash \\ newline \n tab \t nul \u0000 del \u007f line-sep \u2028 é ✓ 😀");
        value.put("lone surrogate", "\uD800x");
        value.put("numbers", Arrays.asList(0L, -1L, Long.MAX_VALUE, 0.1, -2.5e-300, 1.7976931348623157e308, 4.9e-324));
        value.put("nested", List.of(Map.of("k", List.of()), List.of(List.of(true))));
        value.put("null", null);
        String text = Json.write(value);
        assertEquals(value, Json.parse(text));
        assertEquals(text, Json.write(Json.parse(text)), "writing is a fixed point");
        assertTrue(text.startsWith("{\"z\":"), text);
        assertTrue(text.contains("\\u0000") && text.contains("\\u2028") && text.contains("\\ud800"), text);
    }

    @Test
    void writerOrdersUnorderedMapsByKeyAndConvertsNumbers() {
        Map<String, Object> hashed = new HashMap<>();
        for (String k : List.of("delta", "alpha", "charlie", "bravo")) {
            hashed.put(k, 1);
        }
        assertEquals("{\"alpha\":1,\"bravo\":1,\"charlie\":1,\"delta\":1}", Json.write(hashed));
        assertEquals("[0.1,2.0,3,\"\\\"\"]", Json.write(List.of(0.1f, 2.0, (short) 3, "\"")));
    }

    @Test
    void writerRejectsWhatJsonCannotHoldNamingThePath() {
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> Json.write(Map.of("layers", List.of(Map.of("rate", Double.NaN)))));
        assertTrue(nan.getMessage().contains("$.layers[0].rate") && nan.getMessage().contains("NaN"),
                nan.getMessage());
        IllegalArgumentException object = assertThrows(IllegalArgumentException.class,
                () -> Json.write(List.of(new int[] {1})));
        assertTrue(object.getMessage().contains("$[0]"), object.getMessage());
        Map<Object, Object> badKey = new HashMap<>();
        badKey.put(1, 2);
        assertThrows(IllegalArgumentException.class, () -> Json.write(badKey));
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.write(cycle)).getMessage()
                .contains("cycle"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "``                  | expected a value | 1 | 1",
        "`{\"a\":1,}`        | expected a string key | 1 | 8",
        "`[1,2,]`            | expected a value | 1 | 6",
        "`[1 2]`             | expected ',' or ']' after array element 0 | 1 | 4",
        "`{\"a\" 1}`         | expected ':' after the key \"a\" | 1 | 6",
        "`{\"a\":1 \"b\":2}` | expected ',' or '}' after the value of \"a\" | 1 | 8",
        "`{'a':1}`           | expected a string key, found ''' | 1 | 2",
        "`[01]`              | no leading zeros | 1 | 3",
        "`[1.]`              | a digit after the decimal point | 1 | 4",
        "`[1e]`              | a digit in the exponent | 1 | 4",
        "`[-]`               | expected a digit | 1 | 3",
        "`[NaN]`             | expected a value | 1 | 2",
        "`[Infinity]`        | expected a value | 1 | 2",
        "`[1e400]`           | within the range of a double | 1 | 2",
        "`[tru]`             | expected 'true' | 1 | 2",
        "`\"abc`             | '\"' to close the string | 1 | 5",
        "`\"\\x\"`           | an escape character | 1 | 3",
        "`\"\\u12g4\"`       | four hexadecimal digits | 1 | 6",
        "`{\"a\":1,\"a\":2}` | \"a\" appears twice | 1 | 8",
        "`[1] [2]`           | expected end of input | 1 | 5",
        "`// c\n1`           | found '/' | 1 | 1",
        "`[\n  1,\n  ?]`     | found '?' | 3 | 3",
    })
    void malformedInputNamesWhatWasExpectedAndWhere(String text, String message, int line, int column) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text.replace("\\n", "\n")));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains("line " + line + ", column " + column), e.getMessage());
    }

    @Test
    void rawControlCharactersAndByteOrderMarkAreRejected() {
        assertTrue(assertThrows(JsonException.class, () -> Json.parse("\"a\tb\""))
                .getMessage().contains("raw control character"));
        assertTrue(assertThrows(JsonException.class, () -> Json.parse("\uFEFF{}"))
                .getMessage().contains("byte-order mark"));
    }

    @Test
    void hostileNestingAndLengthAreBounded() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("at most " + Json.DEFAULT_MAX_DEPTH + " levels"), e.getMessage());
        assertEquals(List.of(List.of()), Json.parse("[[]]", 100, 2));
        assertThrows(JsonException.class, () -> Json.parse("[[[]]]", 100, 2));
        assertThrows(JsonException.class, () -> Json.parse("{\"a\":{\"b\":{}}}", 100, 2));
        JsonException tooLong = assertThrows(JsonException.class, () -> Json.parse("[1, 2, 3]", 8, 10));
        assertTrue(tooLong.getMessage().contains("exceeds the limit of 8"), tooLong.getMessage());
    }

    @Test
    void parseObjectRequiresAnObject() {
        assertEquals(Map.of("a", 1L), Json.parseObject("{\"a\":1}"));
        assertTrue(assertThrows(JsonException.class, () -> Json.parseObject("[1]")).getMessage()
                .contains("expected an object, found array"));
        assertNull(Json.parse("null"));
    }
}
