package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safetensors: round trips, the reference writer's exact bytes, a file from an independent writer, Nabla's files
 * read by an independent reader, hostile files, atomic replacement.
 */
class SafetensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Generator g = new Generator(7);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("layer.weight", Tensor.randn(g, 3, 5));
        tensors.put("layer.bias", Tensor.fromArray(new float[] {Float.NaN, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE}, 4));
        tensors.put("double", Tensor.normal(DType.FLOAT64, g, 0, 1, 2, 3, 2));
        tensors.put("scalar", Tensor.scalar(DType.FLOAT64, Math.PI));
        tensors.put("empty", Tensor.zeros(0, 3));
        tensors.put("transposed view", Tensor.randn(g, 4, 2).t());
        tensors.put("ünïcode ✓", Tensor.of(1, 2, 3));
        return tensors;
    }

    private static void assertSameBits(Tensor expected, Tensor actual, String name) {
        assertEquals(expected.dtype(), actual.dtype(), name);
        assertArrayEquals(expected.shape(), actual.shape(), name);
        if (expected.dtype() == DType.FLOAT32) {
            float[] e = expected.toFloatArray();
            float[] a = actual.toFloatArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]), name + "[" + i + "]");
            }
        } else {
            double[] e = expected.toDoubleArray();
            double[] a = actual.toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(Double.doubleToRawLongBits(e[i]), Double.doubleToRawLongBits(a[i]), name + "[" + i + "]");
            }
        }
    }

    @Test
    void roundTripsFloat32AndFloat64BitForBit() throws IOException {
        Path file = dir.resolve("t.safetensors");
        Map<String, Tensor> tensors = sample();
        Map<String, String> metadata = Map.of("b", "2", "a", "ünïcode \"quoted\"\n");
        Safetensors.write(file, tensors, metadata);
        Safetensors.Contents read = Safetensors.read(file);
        assertEquals(tensors.keySet(), read.tensors().keySet());
        tensors.forEach((name, t) -> assertSameBits(t, read.tensors().get(name), name));
        assertEquals(metadata, read.metadata());
        long n = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
    }

    @Test
    void writesTheReferenceImplementationsBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, Map.of("attn.0", Tensor.fromArray(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3)), null);
        ByteBuffer expected = ByteBuffer.allocate(8 + 64 + 24).order(ByteOrder.LITTLE_ENDIAN).putLong(64)
                .put("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"
                        .getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 6; i++) {
            expected.putFloat(i);
        }
        assertArrayEquals(expected.array(), out.toByteArray());

        out.reset();
        Safetensors.write(out, Map.of(), Map.of("framework", "pt"));
        ByteBuffer withMetadata = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN).putLong(40)
                .put("{\"__metadata__\":{\"framework\":\"pt\"}}     ".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(withMetadata.array(), out.toByteArray());
    }

    @Test
    void writerIsDeterministicAndAlignsByElementSizeThenName() throws IOException {
        Map<String, Tensor> ordered = sample();
        List<String> keys = new ArrayList<>(ordered.keySet());
        java.util.Collections.reverse(keys);
        Map<String, Tensor> reversed = new HashMap<>();
        keys.forEach(k -> reversed.put(k, ordered.get(k)));
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        Safetensors.write(a, ordered, null);
        Safetensors.write(b, reversed, null);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertEquals(List.of("double", "scalar", "empty", "layer.bias", "layer.weight", "transposed view", "ünïcode ✓"),
                new ArrayList<>(Safetensors.read(a).tensors().keySet()), "file order: F64 first, then by name");
    }

    @Test
    void readsAFileWrittenByAnIndependentImplementation() throws IOException, URISyntaxException {
        Path file = Path.of(getClass().getResource("/reference.safetensors").toURI());
        Safetensors.Contents c = Safetensors.read(file);
        assertEquals(Map.of("format", "pt", "note", "written by make_safetensors_fixture.py ✓"), c.metadata());
        assertEquals(List.of("weights", "counts", "scale", "extremes", "empty"), new ArrayList<>(c.tensors().keySet()));

        Tensor weights = c.tensors().get("weights");
        assertEquals(DType.FLOAT32, weights.dtype());
        assertArrayEquals(new int[] {2, 3}, weights.shape());
        assertArrayEquals(new float[] {1.5f, -2.25f, Float.MAX_VALUE, Float.MIN_VALUE, -0.0f, 0.1f},
                weights.toFloatArray());
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(weights.toFloatArray()[4]));

        Tensor counts = c.tensors().get("counts");
        assertEquals(DType.FLOAT64, counts.dtype(), "I64 is read as float64");
        assertArrayEquals(new double[] {0, -1, 9007199254740992.0, -123456789012.0}, counts.toDoubleArray());

        Tensor scale = c.tensors().get("scale");
        assertEquals(0, scale.dim());
        assertEquals(0.1, scale.item());

        Tensor extremes = c.tensors().get("extremes");
        assertEquals(DType.FLOAT64, extremes.dtype());
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-310, -Double.MAX_VALUE},
                extremes.toDoubleArray());

        assertArrayEquals(new int[] {0, 4}, c.tensors().get("empty").shape());
    }

    @Test
    void nablaFilesReadBackByAnIndependentReader() throws Exception {
        Path script = findUp("tools/reference/read_safetensors.py");
        Assumptions.assumeTrue(script != null, "tools/reference/read_safetensors.py not found from "
                + System.getProperty("user.dir"));
        Assumptions.assumeTrue(python3Works(), "python3 is not installed: skipping the independent reader check");
        Path file = dir.resolve("nabla.safetensors");
        Map<String, Tensor> tensors = sample();
        Safetensors.write(file, tensors, Map.of("format", "nabla-model", "note", "✓"));

        Process p = new ProcessBuilder("python3", script.toString(), file.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        Map<String, Object> read = Json.parseObject(output);
        assertEquals(Map.of("format", "nabla-model", "note", "✓"), read.get("metadata"));
        assertEquals(new ArrayList<>(Safetensors.read(file).tensors().keySet()), read.get("order"));
        Map<?, ?> pyTensors = (Map<?, ?>) read.get("tensors");
        assertEquals(tensors.keySet(), pyTensors.keySet());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Map<?, ?> info = (Map<?, ?>) pyTensors.get(e.getKey());
            Tensor t = e.getValue();
            assertEquals(t.dtype() == DType.FLOAT32 ? "F32" : "F64", info.get("dtype"), e.getKey());
            List<Long> shape = new ArrayList<>();
            for (int s : t.shape()) {
                shape.add((long) s);
            }
            assertEquals(shape, info.get("shape"), e.getKey());
            List<Long> bits = new ArrayList<>();
            if (t.dtype() == DType.FLOAT32) {
                for (float v : t.toFloatArray()) {
                    bits.add((long) Float.floatToRawIntBits(v));
                }
            } else {
                for (double v : t.toDoubleArray()) {
                    bits.add(Double.doubleToRawLongBits(v));
                }
            }
            assertEquals(bits, info.get("bits"), e.getKey());
        }
    }

    private static boolean python3Works() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static Path findUp(String relative) {
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(relative))) {
                return d.resolve(relative);
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- hostile files

    /** A file of the given header length field, header text and data bytes. */
    private Path file(long headerLength, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(h).put(data);
        Path file = Files.createTempFile(dir, "hostile", ".safetensors");
        Files.write(file, b.array());
        return file;
    }

    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, new byte[dataBytes]);
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin
                + "," + end + "]}";
    }

    private static void assertRejected(Path file, String... fragments) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertEquals(file, e.file());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
    }

    @Test
    void truncatedFiles() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertRejected(tiny, "has 3 bytes", "8-byte header length");

        Path good = dir.resolve("good.safetensors");
        Safetensors.write(good, Map.of("w", Tensor.ones(4, 4)), null);
        byte[] bytes = Files.readAllBytes(good);
        Path cutInData = dir.resolve("cut-data.safetensors");
        Files.write(cutInData, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        assertRejected(cutInData, "tensor 'w'", "[0, 64]", "beyond the 59 bytes of data");
        Path cutInHeader = dir.resolve("cut-header.safetensors");
        Files.write(cutInHeader, java.util.Arrays.copyOf(bytes, 20));
        assertRejected(cutInHeader, "does not fit in the file of 20 bytes");
    }

    @Test
    void headerLengthBeyondTheFileOrTheBound() throws IOException {
        assertRejected(file(1000, "{}", new byte[0]), "header length 1000", "file of 10 bytes");
        assertRejected(file(1L << 40, "{}", new byte[0]), "header length 1099511627776",
                "exceeds the limit of 100000000");
        assertRejected(file(-1L, "{}", new byte[0]), "header length 18446744073709551615", "exceeds the limit");
    }

    @Test
    void hugeDeclaredShapesFailBeforeAllocating() throws IOException {
        assertRejected(file("{" + entry("big", "F32", "[1048576,1048576,1048576]", 0, 4) + "}", 4),
                "tensor 'big'", "more elements than a Java array holds");
        assertRejected(file("{" + entry("big", "F64", "[1099511627776]", 0, 8796093022208L) + "}", 8),
                "tensor 'big'", "1099511627776", "more than a Java array holds");
        // Fits a Java array (8 GB): allocating it would exhaust the test heap, so the offsets check must come first.
        assertRejected(file("{" + entry("big", "F32", "[2147483639]", 0, 8589934556L) + "}", 16),
                "tensor 'big'", "[0, 8589934556]", "beyond the 16 bytes of data");
    }

    @Test
    void badOffsets() throws IOException {
        assertRejected(file("{" + entry("a", "F32", "[2]", -8, 0) + "}", 8), "tensor 'a'", "[-8, 0] is not a range");
        assertRejected(file("{" + entry("a", "F32", "[2]", 8, 0) + "}", 8), "tensor 'a'", "[8, 0] is not a range");
        assertRejected(file("{" + entry("a", "F32", "[2]", 8, 16) + "}", 8), "[8, 16]", "beyond the 8 bytes");
        assertRejected(file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", 12),
                "tensor 'b' at data_offsets [4, 12] overlaps tensor 'a' at [0, 8]");
        assertRejected(file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}", 12),
                "bytes 4..8", "hole before tensor 'b'");
        assertRejected(file("{" + entry("a", "F32", "[1]", 0, 4) + "}", 12), "cover 4 bytes", "holds 12 bytes");
        assertRejected(file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 0, 4) + "}", 4),
                "overlaps");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4),
                "data_offsets is [0,4,8], expected two integers");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.0]}}", 4),
                "expected two integers");
    }

    @Test
    void byteCountMustMatchShapeAndDtype() throws IOException {
        assertRejected(file("{" + entry("a", "F64", "[2]", 0, 8) + "}", 8),
                "tensor 'a'", "hold 8 bytes", "shape [2] of F64 needs 2 × 8 = 16 bytes");
        assertRejected(file("{" + entry("a", "F32", "[]", 0, 0) + "}", 0), "needs 1 × 4 = 4 bytes");
    }

    @Test
    void dtypesAndShapesAreChecked() throws IOException {
        assertRejected(file("{" + entry("a", "F33", "[1]", 0, 4) + "}", 4), "tensor 'a'", "unknown dtype \"F33\"",
                "[F32, F64, I64]");
        assertRejected(file("{" + entry("a", "F16", "[2]", 0, 4) + "}", 4), "dtype F16 is not supported");
        assertRejected(file("{" + entry("a", "F32", "[-1]", 0, 4) + "}", 4), "shape[0] is -1",
                "non-negative integer");
        assertRejected(file("{" + entry("a", "F32", "[1.5]", 0, 4) + "}", 4), "shape[0] is 1.5");
        assertRejected(file("{" + entry("a", "F32", "3", 0, 4) + "}", 4), "shape is a JSON number");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "tensor 'a' has no field 'shape'");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4),
                "unknown field 'x'");
        assertRejected(file("{\"a\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "dtype is a JSON number");
        assertRejected(file("{\"a\":[1]}", 0), "tensor 'a' is a JSON array");
    }

    @Test
    void duplicateNamesAndBadHeaders() throws IOException {
        assertRejected(file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}", 8),
                "not valid JSON", "\"a\" appears twice");
        assertRejected(file("{not json}  ", 0), "not valid JSON", "expected a string key", "column 2");
        assertRejected(file("[1, 2]", 0), "does not start with '{'", "0x5b");
        assertRejected(file("", 0), "does not start with '{'", "empty");
        Path latin1 = dir.resolve("latin1.safetensors");
        Files.write(latin1, new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '"', (byte) 0xe9, '"', ':', '1', '}', ' '});
        assertRejected(latin1, "not valid UTF-8");
        assertRejected(file("{\"__metadata__\":{\"a\":1}}", 0), "'__metadata__' field 'a' is a JSON number");
        assertRejected(file("{\"__metadata__\":[]}", 0), "'__metadata__' is a JSON array");
        assertRejected(file("{\"a\":{" + "\"x\":{".repeat(200) + "}".repeat(200) + "}}", 0), "at most 128 levels");
    }

    @Test
    void readsEdgeCasesTheSpecAllows() throws IOException {
        Path noData = file("{}      ", 0);
        assertEquals(0, Safetensors.read(noData).tensors().size());
        assertEquals(Map.of(), Safetensors.read(noData).metadata());
        ByteBuffer data = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(2.5f);
        String header = "{" + entry("a", "F32", "[1,1]", 0, 4) + "}";
        Path unpadded = file(header.length(), header, data.array());
        assertEquals(2.5, Safetensors.read(unpadded).tensors().get("a").get(0, 0));
        assertThrows(ModelFileException.class, () -> Safetensors.read(dir.resolve("missing.safetensors")));
    }

    // ---------------------------------------------------------------- writing

    @Test
    void failedWriteLeavesThePreviousFileIntact() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, Map.of("w", Tensor.ones(8)), Map.of("v", "1"));
        byte[] good = Files.readAllBytes(file);
        Map<String, Tensor> big = Map.of("w", Tensor.zeros(1000));
        IOException e = assertThrows(IOException.class,
                () -> Safetensors.write(file, big, Map.of("v", "2"), out -> new FailAfter(out, 100)));
        assertEquals("disk full (simulated)", e.getMessage());
        assertArrayEquals(good, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
        Path fresh = dir.resolve("fresh.safetensors");
        assertThrows(IOException.class,
                () -> Safetensors.write(fresh, big, null, out -> new FailAfter(out, 100)));
        assertFalse(Files.exists(fresh));
    }

    @Test
    void writerRejectsBadArguments() {
        Path file = dir.resolve("x.safetensors");
        Map<String, Tensor> withNull = new HashMap<>();
        withNull.put("a", null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Safetensors.write(file, withNull, null))
                .getMessage().contains("tensor 'a' is null"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, Map.of("__metadata__", Tensor.ones(1)), null))
                .getMessage().contains("reserved"));
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(file, Map.of(), nullValue));
        assertFalse(Files.exists(file));
    }

    /** An output stream that fails once more than {@code limit} bytes went through. */
    private static final class FailAfter extends FilterOutputStream {
        private long remaining;

        FailAfter(OutputStream out, long limit) {
            super(out);
            this.remaining = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > remaining) {
                throw new IOException("disk full (simulated)");
            }
            remaining -= len;
            out.write(b, off, len);
        }
    }
}
