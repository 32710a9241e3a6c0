package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.Idx;
import dev.nabla.data.IdxArray;
import dev.nabla.data.IdxFormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@link Idx#read}: mutated raw files, mutated gzip files, and gzip files of mutated raw data, which must
 * be accepted or refused exactly as the same data uncompressed is. Anything but an {@link IdxFormatException} with
 * a message, or a result whose shape and data disagree, fails.
 */
class IdxFuzzTest {
    /** Offsets of the magic number's type and rank bytes and of the four dimensions. */
    private static final int[] HEADER = {0, 2, 3, 4, 7, 8, 11, 12, 15, 16, 19};

    @TempDir
    static Path dir;
    private static List<byte[]> raw;
    private static List<byte[]> gzip;

    @BeforeAll
    static void seeds() throws IOException {
        SplittableRandom random = new SplittableRandom(1);
        int[][] shapes = {{5}, {2, 3}, {3, 4, 4}, {2, 2, 3, 2}, {1}, {1, 1, 1}};
        raw = new ArrayList<>();
        gzip = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            byte[] data = new byte[Arrays.stream(shapes[i]).reduce(1, (a, b) -> a * b)];
            random.nextBytes(data);
            Path plain = dir.resolve("seed" + i + ".idx");
            Path compressed = dir.resolve("seed" + i + ".idx.gz");
            Idx.write(plain, shapes[i], data);
            Idx.write(compressed, shapes[i], data);
            raw.add(Files.readAllBytes(plain));
            gzip.add(Files.readAllBytes(compressed));
        }
    }

    @Test
    void rawFiles() throws Exception {
        Fuzzer.Stats stats = Fuzzer.run("idx-raw", dir, 1_500, 20_000, raw,
                (seeds, random) -> Mutations.mutate(seeds, random, HEADER),
                (file, input) -> check(Idx.read(file), input.length), IdxFormatException.class);
        stats.assertBothOutcomes();
    }

    @Test
    void gzipFiles() throws Exception {
        Fuzzer.Stats stats = Fuzzer.run("idx-gzip", dir, 1_500, 20_000, gzip,
                (seeds, random) -> Mutations.mutate(seeds, random, 0, 1, 2, 3, 8, 9, 10, 12),
                (file, input) -> check(Idx.read(file), -1), IdxFormatException.class);
        stats.assertBothOutcomes();
    }

    @Test
    void gzipOfMutatedDataAgreesWithRaw() throws Exception {
        Path plain = dir.resolve("idx-differential.idx");
        Fuzzer.Stats stats = Fuzzer.run("idx-gzip-differential", dir, 1_500, 20_000, raw,
                (seeds, random) -> gzip(Mutations.mutate(seeds, random, HEADER)),
                (file, input) -> {
                    byte[] data = gunzip(input);
                    Files.write(plain, data);
                    boolean rawIsGzip = data.length >= 2 && (data[0] & 0xFF) == 0x1f && (data[1] & 0xFF) == 0x8b;
                    IdxArray expected = null;
                    String rawError = null;
                    try {
                        expected = Idx.read(plain);
                    } catch (IdxFormatException e) {
                        rawError = e.getMessage();
                    }
                    IdxArray actual = null;
                    try {
                        actual = Idx.read(file);
                    } catch (IdxFormatException e) {
                        if (rawError == null && !rawIsGzip) {
                            throw new AssertionError("refused compressed, accepted raw: " + e.getMessage(), e);
                        }
                        throw e;
                    }
                    check(actual, -1);
                    if (!rawIsGzip) {
                        assertEquals(expected, actual, "accepted compressed, raw gave " + rawError);
                    }
                }, IdxFormatException.class);
        stats.assertBothOutcomes();
    }

    /** Shape and data agree, and a raw file is exactly header plus data. */
    private static void check(IdxArray array, long fileLength) {
        int rank = array.rank();
        assertTrue(rank >= 1 && rank <= Idx.MAX_RANK, "rank " + rank);
        long product = 1;
        for (int d : array.shape()) {
            assertTrue(d > 0, "dimension " + d);
            product *= d;
        }
        assertEquals(product, array.data().length, "elements");
        if (fileLength >= 0) {
            assertEquals(fileLength, 4 + 4L * rank + product, "file length");
        }
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] gunzip(byte[] data) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return in.readAllBytes();
        }
    }
}
