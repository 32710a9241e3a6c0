package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.io.Json;
import dev.nabla.io.ModelFileException;
import dev.nabla.io.Safetensors;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@link Safetensors#read}: files written by {@link Safetensors#write} (and one with an I64 tensor) with the
 * header mutated as JSON or the bytes mutated. Every file is refused with a {@link ModelFileException} with a
 * message, or read into tensors whose shapes match their sizes, which cover the data exactly and survive a write
 * and a second read unchanged.
 */
class SafetensorsFuzzTest {
    @TempDir
    Path dir;

    static List<byte[]> seeds(Path dir) throws Exception {
        Generator g = new Generator(3);
        List<Map<String, Tensor>> sets = List.of(
                Map.of("w", Tensor.rand(g, 2, 3)),
                Map.of("a", Tensor.rand(g, 4), "b", Tensor.rand(g, 1, 2, 2).to(DType.FLOAT64),
                        "empty", Tensor.zeros(0, 3)),
                Map.of("layer.0.weight", Tensor.randn(g, 3, 2), "layer.0.bias", Tensor.zeros(3),
                        "scalar", Tensor.fromArray(new double[] {2.5})));
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            Path file = dir.resolve("seed" + i + ".safetensors");
            Safetensors.write(file, sets.get(i), i == 1 ? Map.of("format", "pt", "note", "é") : Map.of());
            seeds.add(Files.readAllBytes(file));
        }
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("steps", Map.of("dtype", "I64", "shape", List.of(2L), "data_offsets", List.of(0L, 16L)));
        byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-3).putLong(1L << 60).array();
        seeds.add(SafetensorsMutations.file(Json.write(header), data, true));
        return seeds;
    }

    @Test
    void read() throws Exception {
        Path copy = dir.resolve("copy.safetensors");
        Fuzzer.run("safetensors", dir, 3_000, 20_000, seeds(dir), SafetensorsMutations::mutate,
                (file, input) -> check(Safetensors.read(file), input, copy), ModelFileException.class)
                .assertBothOutcomes();
    }

    /** Sizes match shapes, the tensors cover the data exactly, and a write and a read give them back. */
    private static void check(Safetensors.Contents contents, byte[] input, Path copy) throws Exception {
        long headerLength = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long bytes = 0;
        for (Tensor t : contents.tensors().values()) {
            long numel = 1;
            for (int d : t.shape()) {
                numel *= d;
            }
            assertEquals(numel, t.numel(), "numel of " + t);
            bytes += numel * t.dtype().bytes();
        }
        assertEquals(input.length - 8 - headerLength, bytes, "bytes of data covered by the tensors");
        Safetensors.write(copy, contents.tensors(), contents.metadata());
        Safetensors.Contents again = Safetensors.read(copy);
        assertEquals(contents.metadata(), again.metadata());
        assertEquals(contents.tensors().keySet(), again.tensors().keySet());
        contents.tensors().forEach((name, t) -> {
            Tensor u = again.tensors().get(name);
            assertArrayEquals(t.shape(), u.shape(), name);
            assertArrayEquals(t.toDoubleArray(), u.toDoubleArray(), name);
        });
    }
}
