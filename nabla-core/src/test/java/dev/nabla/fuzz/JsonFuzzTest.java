package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.io.Json;
import dev.nabla.io.JsonException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@link Json#parse}: texts written by {@link Json#write}, mutated structurally, textually and as bytes.
 * Every text is refused with a {@link JsonException} with a message, or parsed into a value that writes back to
 * text that parses to the same value.
 */
class JsonFuzzTest {
    @TempDir
    java.nio.file.Path dir;

    private static List<byte[]> seeds() {
        List<Object> values = List.of(
                Map.of("version", 1L, "input_shape", List.of(28L, 28L), "network", Map.of("type", "Sequential",
                        "layers", List.of(Map.of("type", "Flatten"), Map.of("type", "Linear", "in", 784L, "out", 10L,
                                "activation", "softmax", "bias", true)))),
                Map.of("__metadata__", Map.of("format", "nabla-model"), "w", Map.of("dtype", "F32",
                        "shape", List.of(2L, 3L), "data_offsets", List.of(0L, 24L))),
                List.of(Map.of("loss", 0.25, "accuracy", "NaN"), Map.of("loss", -1.5e-7, "lr", 1e300)),
                Map.of("text", "tab\t quote\" backslash\\ é \ud83d\ude00 \u2028 \u0001", "empty", "", "null",
                        List.of(), "nested", List.of(List.of(List.of(Map.of()))), "flags", List.of(true, false)),
                List.of(0L, -0.0, Long.MIN_VALUE, Long.MAX_VALUE, 4.9e-324, 1.7976931348623157e308));
        return values.stream().map(v -> Json.write(v).getBytes(StandardCharsets.UTF_8)).toList();
    }

    @Test
    void parse() throws Exception {
        Fuzzer.Stats stats = Fuzzer.run("json", dir, 2_500, 20_000, seeds(), (seeds, random) -> {
            if (random.nextBoolean()) {
                return Mutations.mutate(seeds, random);
            }
            String text = new String(seeds.get(random.nextInt(seeds.size())), StandardCharsets.UTF_8);
            return JsonMutations.mutate(text, random).getBytes(StandardCharsets.UTF_8);
        }, (file, input) -> {
            Object value = Json.parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
            String written = Json.write(value);
            assertEquals(value, Json.parse(written), "parse(write(value)) for " + written);
        }, JsonException.class);
        stats.assertBothOutcomes();
    }
}
