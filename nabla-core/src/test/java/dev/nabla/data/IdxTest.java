package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    @TempDir
    Path dir;

    /** Big-endian IDX bytes built by hand: magic, then dims, then body. */
    private static byte[] idx(int magic, int[] dims, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeInt(out, magic);
        for (int d : dims) {
            writeInt(out, d);
        }
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    @Test
    void writesTheStandardHeaderAndReadsItBackRaw() throws IOException {
        byte[] data = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255};
        Path f = dir.resolve("images-idx3-ubyte");
        Idx.write(f, new int[] {2, 2, 3}, data);

        byte[] expected = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3,
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255};
        assertArrayEquals(expected, Files.readAllBytes(f));

        IdxArray read = Idx.read(f);
        assertArrayEquals(new int[] {2, 2, 3}, read.shape());
        assertArrayEquals(data, read.data());
        assertEquals(255, read.unsigned(11));
    }

    @Test
    void gzipRoundTripIsDetectedByMagicNotName() throws IOException {
        byte[] data = {9, 8, 7, (byte) 200};
        Path gz = dir.resolve("labels-idx1-ubyte.gz");
        Idx.write(gz, new int[] {4}, data);
        byte[] onDisk = Files.readAllBytes(gz);
        assertEquals(0x1f, onDisk[0] & 0xFF);
        assertEquals(0x8b, onDisk[1] & 0xFF);
        assertArrayEquals(new int[] {4}, Idx.read(gz).shape());
        assertArrayEquals(data, Idx.read(gz).data());

        Path renamed = file("no-suffix", onDisk);
        assertArrayEquals(data, Idx.read(renamed).data());
    }

    @Test
    void readsRankFour() throws IOException {
        byte[] body = new byte[2 * 1 * 2 * 3];
        body[5] = 42;
        IdxArray a = Idx.read(file("r4", idx(0x00000804, new int[] {2, 1, 2, 3}, body)));
        assertArrayEquals(new int[] {2, 1, 2, 3}, a.shape());
        assertEquals(42, a.data()[5]);
    }

    @Test
    void writeLeavesNoTemporaryFileAndReplacesAnOldOne() throws IOException {
        Path f = dir.resolve("x-idx1-ubyte");
        Idx.write(f, new int[] {1}, new byte[] {1});
        Idx.write(f, new int[] {2}, new byte[] {5, 6});
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
        assertArrayEquals(new byte[] {5, 6}, Idx.read(f).data());
    }

    @Test
    void writeRejectsShapeThatDisagreesWithData() {
        Path f = dir.resolve("bad-idx3-ubyte");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Idx.write(f, new int[] {2, 2, 2}, new byte[7]));
        assertTrue(e.getMessage().contains("bad-idx3-ubyte"), e.getMessage());
        assertTrue(e.getMessage().contains("2×2×2 = 8 elements but data holds 7"), e.getMessage());
        assertTrue(Files.notExists(f));
    }

    @Test
    void truncatedRawFileNamesDeclaredAndActualSizes() throws IOException {
        Path f = file("t10k-images-idx3-ubyte", idx(0x00000803, new int[] {3, 2, 2}, new byte[5]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(f));
        assertEquals(f + ": header declares 3×2×2 = 12 bytes but the file holds 5 after the 16-byte header",
                e.getMessage());
    }

    @Test
    void truncatedGzipContentIsAnError() throws IOException {
        Path f = file("t10k-images-idx3-ubyte.gz", gzip(idx(0x00000803, new int[] {3, 2, 2}, new byte[5])));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(f));
        assertEquals(f + ": header declares 3×2×2 = 12 bytes but the decompressed data ends after 5",
                e.getMessage());
    }

    @Test
    void truncatedGzipStreamIsAnError() throws IOException {
        byte[] whole = gzip(idx(0x00000801, new int[] {1000}, new byte[1000]));
        Path f = file("cut.gz", Arrays.copyOf(whole, whole.length - 10));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("gzip"), e.getMessage());
    }

    @Test
    void trailingBytesAreAnErrorRawAndGzip() throws IOException {
        byte[] bytes = idx(0x00000801, new int[] {3}, new byte[] {1, 2, 3, 4, 5});
        Path raw = file("labels", bytes);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(raw));
        assertEquals(raw + ": header declares 3 = 3 bytes but the file holds 5 after the 8-byte header"
                + " (2 trailing bytes)", e.getMessage());

        Path gz = file("labels.gz", gzip(bytes));
        e = assertThrows(IdxFormatException.class, () -> Idx.read(gz));
        assertEquals(gz + ": header declares 3 = 3 bytes but the decompressed data holds 2 trailing bytes"
                + " after them", e.getMessage());
    }

    @Test
    void badMagicIsNamed() throws IOException {
        Path f = file("not-idx", idx(0x12345678, new int[] {}, new byte[8]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().startsWith(f + ": magic number 0x12345678 is not an IDX magic"),
                e.getMessage());
    }

    @Test
    void unsupportedDataTypeIsNamed() throws IOException {
        Path f = file("floats", idx(0x00000D01, new int[] {1}, new byte[4]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(f));
        assertEquals(f + ": data type 0x0D (32-bit float) in magic number 0x00000D01 is not supported;"
                + " only 0x08 (unsigned byte) is", e.getMessage());
    }

    @Test
    void rankOutsideOneToFourIsRejected() throws IOException {
        Path zero = file("r0", idx(0x00000800, new int[] {}, new byte[1]));
        assertEquals(zero + ": rank 0 in magic number 0x00000800 is outside 1..4",
                assertThrows(IdxFormatException.class, () -> Idx.read(zero)).getMessage());
        Path five = file("r5", idx(0x00000805, new int[] {1, 1, 1, 1, 1}, new byte[1]));
        assertEquals(five + ": rank 5 in magic number 0x00000805 is outside 1..4",
                assertThrows(IdxFormatException.class, () -> Idx.read(five)).getMessage());
    }

    @Test
    void nonPositiveDimensionIsRejected() throws IOException {
        Path f = file("neg", idx(0x00000803, new int[] {2, -1, 3}, new byte[0]));
        assertEquals(f + ": dimension 1 of 3 is -1; dimensions must be positive",
                assertThrows(IdxFormatException.class, () -> Idx.read(f)).getMessage());
        Path z = file("zero", idx(0x00000801, new int[] {0}, new byte[0]));
        assertEquals(z + ": dimension 0 of 1 is 0; dimensions must be positive",
                assertThrows(IdxFormatException.class, () -> Idx.read(z)).getMessage());
    }

    @Test
    void headerCutInsideTheDimensionsIsAnError() throws IOException {
        byte[] whole = idx(0x00000803, new int[] {1, 1, 1}, new byte[1]);
        Path f = file("short-header", Arrays.copyOf(whole, 10));
        assertEquals(f + ": magic number 0x00000803 declares rank 3 (a 16-byte header) but the data ends"
                + " after 10 bytes", assertThrows(IdxFormatException.class, () -> Idx.read(f)).getMessage());
        Path empty = file("empty", new byte[0]);
        assertEquals(empty + ": the file holds 0 bytes, too short for the 4-byte magic number",
                assertThrows(IdxFormatException.class, () -> Idx.read(empty)).getMessage());
    }

    @Test
    void hostileHugeHeaderFailsFastWithoutAllocating() throws IOException {
        // 1 × 40000 × 50000 = 2e9 bytes fits in an int: a reader that trusts the header would try to
        // allocate 2 GB (more than the test heap) before noticing the file holds 10.
        byte[] hostile = idx(0x00000803, new int[] {1, 40_000, 50_000}, new byte[10]);
        Path raw = file("hostile", hostile);
        Path gz = file("hostile.gz", gzip(hostile));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertEquals(raw + ": header declares 1×40000×50000 = 2000000000 bytes but the file holds 10"
                            + " after the 16-byte header",
                    assertThrows(IdxFormatException.class, () -> Idx.read(raw)).getMessage());
            assertEquals(gz + ": header declares 1×40000×50000 = 2000000000 bytes but the decompressed data"
                            + " ends after 10",
                    assertThrows(IdxFormatException.class, () -> Idx.read(gz)).getMessage());
        });

        Path overflow = file("overflow", idx(0x00000803, new int[] {65536, 65536, 2}, new byte[0]));
        assertEquals(overflow + ": header declares 65536×65536×2 = 8589934592 bytes, more than the"
                        + " 2147483639 a Java array can hold",
                assertThrows(IdxFormatException.class, () -> Idx.read(overflow)).getMessage());
    }

    @Test
    void expectedRankIsChecked() throws IOException {
        Path f = file("labels", idx(0x00000801, new int[] {2}, new byte[2]));
        assertEquals(2, Idx.read(f, 1).dim(0));
        assertEquals(f + ": rank is 1 (shape 2) but 3 was expected (magic 0x00000803)",
                assertThrows(IdxFormatException.class, () -> Idx.read(f, 3)).getMessage());
    }
}
