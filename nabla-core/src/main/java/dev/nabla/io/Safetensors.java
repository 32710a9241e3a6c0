package dev.nabla.io;

import dev.nabla.autograd.GradMode;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Reads and writes the safetensors format, the plain, code-free tensor file of Hugging Face, so weights move between
 * Nabla, PyTorch, JAX and others.
 *
 * <p>The format: an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON mapping each tensor name
 * to {@code {"dtype", "shape", "data_offsets": [begin, end]}}, with offsets into the byte buffer that follows the
 * header, plus an optional {@code "__metadata__"} object of string values; then the byte buffer, each tensor
 * little-endian and row-major, the tensors together covering it exactly.
 *
 * <p>The reader treats the file as hostile: it checks the header length against the file and a 100 MB bound (the
 * reference implementation's), the JSON, each dtype, shape and byte range, and that the ranges neither overlap nor
 * leave holes, all before allocating any tensor, so the memory it allocates never exceeds the file's size. Dtypes
 * {@code F32} and {@code F64} become float32 and float64 tensors; {@code I64} becomes a float64 tensor (exact for
 * |v| ≤ 2^53, larger values round to the nearest double). Any problem is a {@link ModelFileException} naming the
 * file, the tensor or field, and the values found.
 *
 * <p>The writer is deterministic and compatible with the reference: {@code __metadata__} first, then tensors by
 * descending element size and then by name (UTF-8 byte order), so every tensor starts aligned to its element size;
 * the header is padded with spaces to a multiple of 8 bytes; the file is replaced atomically ({@link AtomicFiles}).
 */
public final class Safetensors {
    /** The largest header accepted, in bytes (as in the reference implementation). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";
    private static final int CHUNK_BYTES = 1 << 16;
    private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Dtypes the format defines that Nabla does not read, so their error differs from a misspelt dtype. */
    private static final Set<String> OTHER_DTYPES = Set.of("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0",
            "F4", "F6_E2M3", "F6_E3M2", "I16", "U16", "F16", "BF16", "I32", "U32", "U64", "C64");

    private Safetensors() {}

    /** What a safetensors file holds: tensors in file order and the {@code __metadata__} strings (empty if none). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** Wraps both maps read-only. */
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /** The element types read and written, with their names in the format. */
    private enum StDType {
        F32(4),
        F64(8),
        I64(8);

        final int bytes;

        StDType(int bytes) {
            this.bytes = bytes;
        }
    }

    private record Entry(String name, StDType dtype, int[] shape, int numel, long begin, long end) {}

    // ---------------------------------------------------------------- reading

    /** Reads every tensor and the metadata of a safetensors file, after validating all of its header. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new ModelFileException(file, "the file has " + size
                        + " bytes; a safetensors file starts with an 8-byte header length");
            }
            long n = readFully(file, channel, 0, 8).getLong();
            if (n < 0 || n > MAX_HEADER_BYTES) {
                throw new ModelFileException(file, "header length " + Long.toUnsignedString(n)
                        + " bytes exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            if (n > size - 8) {
                throw new ModelFileException(file, "header length " + n + " bytes does not fit in the file of "
                        + size + " bytes (truncated, or not a safetensors file)");
            }
            ByteBuffer headerBytes = readFully(file, channel, 8, (int) n);
            long bufferSize = size - 8 - n;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = parseHeader(file, headerBytes, bufferSize, metadata);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                tensors.put(e.name, readTensor(file, channel, 8 + n, e));
            }
            return new Contents(tensors, metadata);
        } catch (NoSuchFileException e) {
            throw new ModelFileException(file, "no such file", e);
        }
    }

    private static List<Entry> parseHeader(Path file, ByteBuffer bytes, long bufferSize, Map<String, String> metadata)
            throws ModelFileException {
        if (!bytes.hasRemaining() || bytes.get(0) != '{') {
            throw new ModelFileException(file, "the header does not start with '{'"
                    + (bytes.hasRemaining() ? " (first byte 0x" + Integer.toHexString(bytes.get(0) & 0xff) + ")"
                    : " (it is empty)") + "; not a safetensors file");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFileException(file, "the header is not valid UTF-8", e);
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (JsonException e) {
            throw new ModelFileException(file, "the header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map)) {
            throw new ModelFileException(file, "the header is a JSON " + Json.kind(parsed) + ", expected an object");
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> item : ((Map<?, ?>) parsed).entrySet()) {
            String name = (String) item.getKey();
            if (name.equals(METADATA_KEY)) {
                parseMetadata(file, item.getValue(), metadata);
            } else {
                entries.add(parseEntry(file, name, item.getValue(), bufferSize));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.begin > covered) {
                throw new ModelFileException(file, "bytes " + covered + ".." + e.begin + " of the data belong to no"
                        + " tensor (a hole before tensor '" + e.name + "'); the tensors must cover the data exactly");
            }
            if (e.begin < covered) {
                Entry previous = entries.get(i - 1);
                throw new ModelFileException(file, "tensor '" + e.name + "' at data_offsets [" + e.begin + ", "
                        + e.end + "] overlaps tensor '" + previous.name + "' at [" + previous.begin + ", "
                        + previous.end + "]");
            }
            covered = e.end;
        }
        if (covered != bufferSize) {
            throw new ModelFileException(file, "the tensors cover " + covered + " bytes of data but the file holds "
                    + bufferSize + " bytes after the header; the data must be covered exactly");
        }
        return entries;
    }

    private static void parseMetadata(Path file, Object value, Map<String, String> metadata)
            throws ModelFileException {
        if (!(value instanceof Map)) {
            throw new ModelFileException(file, "'" + METADATA_KEY + "' is a JSON " + Json.kind(value)
                    + ", expected an object of strings");
        }
        for (Map.Entry<?, ?> m : ((Map<?, ?>) value).entrySet()) {
            if (!(m.getValue() instanceof String)) {
                throw new ModelFileException(file, "'" + METADATA_KEY + "' field '" + m.getKey() + "' is a JSON "
                        + Json.kind(m.getValue()) + ", expected a string");
            }
            metadata.put((String) m.getKey(), (String) m.getValue());
        }
    }

    private static Entry parseEntry(Path file, String name, Object value, long bufferSize)
            throws ModelFileException {
        String where = "tensor '" + name + "'";
        if (!(value instanceof Map)) {
            throw new ModelFileException(file, where + " is a JSON " + Json.kind(value)
                    + ", expected an object with dtype, shape and data_offsets");
        }
        Map<?, ?> info = (Map<?, ?>) value;
        for (Object key : info.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new ModelFileException(file, where + " has an unknown field '" + key
                        + "' (expected dtype, shape, data_offsets)");
            }
        }
        Object dtypeValue = require(file, where, info, "dtype");
        if (!(dtypeValue instanceof String)) {
            throw new ModelFileException(file, where + ": dtype is a JSON " + Json.kind(dtypeValue)
                    + ", expected a string such as \"F32\"");
        }
        StDType dtype = dtype(file, where, (String) dtypeValue);
        List<?> shapeList = list(file, where, info, "shape");
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            Object d = shapeList.get(i);
            if (!(d instanceof Long) || (Long) d < 0) {
                throw new ModelFileException(file, where + ": shape[" + i + "] is " + Json.write(d)
                        + ", expected a non-negative integer");
            }
            long size = (Long) d;
            if (size > MAX_ELEMENTS) {
                throw new ModelFileException(file, where + ": shape " + shapeList + " has dimension " + i + " of "
                        + size + ", more than a Java array holds");
            }
            shape[i] = (int) size;
            numel *= size;
            if (numel > MAX_ELEMENTS) {
                throw new ModelFileException(file, where + ": shape " + shapeList + " has more elements than a Java"
                        + " array holds (" + MAX_ELEMENTS + ")");
            }
        }
        List<?> offsets = list(file, where, info, "data_offsets");
        if (offsets.size() != 2 || !(offsets.get(0) instanceof Long) || !(offsets.get(1) instanceof Long)) {
            throw new ModelFileException(file, where + ": data_offsets is " + Json.write(offsets)
                    + ", expected two integers [begin, end]");
        }
        long begin = (Long) offsets.get(0);
        long end = (Long) offsets.get(1);
        if (begin < 0 || end < begin) {
            throw new ModelFileException(file, where + ": data_offsets [" + begin + ", " + end
                    + "] is not a range (need 0 <= begin <= end)");
        }
        if (end > bufferSize) {
            throw new ModelFileException(file, where + ": data_offsets [" + begin + ", " + end
                    + "] end beyond the " + bufferSize + " bytes of data in the file");
        }
        long needed = numel * dtype.bytes;
        if (end - begin != needed) {
            throw new ModelFileException(file, where + ": data_offsets [" + begin + ", " + end + "] hold "
                    + (end - begin) + " bytes but shape " + Shapes.str(shape) + " of " + dtype + " needs " + numel
                    + " × " + dtype.bytes + " = " + needed + " bytes");
        }
        return new Entry(name, dtype, shape, (int) numel, begin, end);
    }

    private static Object require(Path file, String where, Map<?, ?> info, String field) throws ModelFileException {
        if (!info.containsKey(field)) {
            throw new ModelFileException(file, where + " has no field '" + field + "'");
        }
        return info.get(field);
    }

    private static List<?> list(Path file, String where, Map<?, ?> info, String field) throws ModelFileException {
        Object value = require(file, where, info, field);
        if (!(value instanceof List)) {
            throw new ModelFileException(file, where + ": " + field + " is a JSON " + Json.kind(value)
                    + ", expected an array");
        }
        return (List<?>) value;
    }

    private static StDType dtype(Path file, String where, String name) throws ModelFileException {
        for (StDType t : StDType.values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        String known = Arrays.toString(StDType.values());
        if (OTHER_DTYPES.contains(name)) {
            throw new ModelFileException(file, where + ": dtype " + name + " is not supported; Nabla reads " + known);
        }
        throw new ModelFileException(file, where + ": unknown dtype " + Json.quote(name) + "; Nabla reads " + known);
    }

    private static Tensor readTensor(Path file, FileChannel channel, long dataStart, Entry e) throws IOException {
        long position = dataStart + e.begin;
        if (e.dtype == StDType.F32) {
            float[] values = new float[e.numel];
            for (int done = 0; done < e.numel; ) {
                int count = Math.min(e.numel - done, CHUNK_BYTES / 4);
                readFully(file, channel, position, count * 4).asFloatBuffer().get(values, done, count);
                position += count * 4L;
                done += count;
            }
            return Tensor.fromArray(values, e.shape);
        }
        double[] values = new double[e.numel];
        for (int done = 0; done < e.numel; ) {
            int count = Math.min(e.numel - done, CHUNK_BYTES / 8);
            ByteBuffer chunk = readFully(file, channel, position, count * 8);
            if (e.dtype == StDType.F64) {
                chunk.asDoubleBuffer().get(values, done, count);
            } else {
                for (int i = 0; i < count; i++) {
                    values[done + i] = chunk.getLong();
                }
            }
            position += count * 8L;
            done += count;
        }
        return Tensor.fromArray(values, e.shape);
    }

    private static ByteBuffer readFully(Path file, FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new ModelFileException(file, "the file ended at byte " + (position + buffer.position())
                        + " while reading " + length + " bytes at " + position + " (it changed while being read?)");
            }
        }
        return buffer.flip();
    }

    // ---------------------------------------------------------------- writing

    /**
     * Atomically writes tensors (float32 as F32, float64 as F64) and string metadata (may be empty or null) to a
     * safetensors file, replacing any file there only once the new one is complete.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata, UnaryOperator.identity());
    }

    /** As {@link #write(Path, Map, Map)}, with a filter on the output stream so tests can fail a write midway. */
    static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata,
            UnaryOperator<OutputStream> filter) throws IOException {
        List<Map.Entry<String, Tensor>> ordered = order(tensors);
        byte[] header = header(ordered, metadata);
        AtomicFiles.write(file, out -> writeTo(filter.apply(out), header, ordered));
    }

    /** Writes the safetensors bytes of tensors and metadata to a stream (not closed), as {@link #write} does. */
    public static void write(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        List<Map.Entry<String, Tensor>> ordered = order(tensors);
        writeTo(out, header(ordered, metadata), ordered);
    }

    private static List<Map.Entry<String, Tensor>> order(Map<String, Tensor> tensors) {
        if (tensors == null) {
            throw new IllegalArgumentException("safetensors: the tensor map is null");
        }
        List<Map.Entry<String, Tensor>> ordered = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null || e.getKey().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("safetensors: invalid tensor name " + e.getKey()
                        + (e.getKey() == null ? "" : " (reserved for metadata)"));
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("safetensors: tensor '" + e.getKey() + "' is null");
            }
            ordered.add(Map.entry(e.getKey(), e.getValue()));
        }
        ordered.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -e.getValue().dtype().bytes())
                .thenComparing(e -> e.getKey().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        return ordered;
    }

    private static byte[] header(List<Map.Entry<String, Tensor>> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            Map<String, Object> meta = new LinkedHashMap<>();
            Map<String, String> sorted = metadata instanceof LinkedHashMap || metadata instanceof SortedMap
                    ? metadata : new TreeMap<>(metadata);
            for (Map.Entry<String, String> m : sorted.entrySet()) {
                if (m.getKey() == null || m.getValue() == null) {
                    throw new IllegalArgumentException("safetensors: metadata entry " + m.getKey() + " = "
                            + m.getValue() + " has a null key or value");
                }
                meta.put(m.getKey(), m.getValue());
            }
            header.put(METADATA_KEY, meta);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors) {
            Tensor t = e.getValue();
            long end = offset + (long) t.numel() * t.dtype().bytes();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t.dtype() == DType.FLOAT32 ? "F32" : "F64");
            List<Object> shape = new ArrayList<>();
            for (int s : t.shape()) {
                shape.add(s);
            }
            info.put("shape", shape);
            info.put("data_offsets", List.of(offset, end));
            header.put(e.getKey(), info);
            offset = end;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeTo(OutputStream out, byte[] header, List<Map.Entry<String, Tensor>> tensors)
            throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        chunk.putLong(header.length);
        out.write(chunk.array(), 0, 8);
        out.write(header);
        for (Map.Entry<String, Tensor> e : tensors) {
            Tensor t = e.getValue();
            try (var scope = GradMode.noGrad()) {
                if (t.dtype() == DType.FLOAT32) {
                    float[] values = t.toFloatArray();
                    for (int done = 0; done < values.length; ) {
                        int count = Math.min(values.length - done, CHUNK_BYTES / 4);
                        chunk.clear();
                        chunk.asFloatBuffer().put(values, done, count);
                        out.write(chunk.array(), 0, count * 4);
                        done += count;
                    }
                } else {
                    double[] values = t.toDoubleArray();
                    for (int done = 0; done < values.length; ) {
                        int count = Math.min(values.length - done, CHUNK_BYTES / 8);
                        chunk.clear();
                        chunk.asDoubleBuffer().put(values, done, count);
                        out.write(chunk.array(), 0, count * 8);
                        done += count;
                    }
                }
            }
        }
        out.flush();
    }
}
