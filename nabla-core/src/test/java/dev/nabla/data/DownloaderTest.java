package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {

    /** The FIPS 180-2 test vector: SHA-256("abc"). */
    private static final String SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);
    private static final RemoteFile FILE = new RemoteFile("abc.bin", 3, SHA256_ABC);

    @TempDir
    Path cache;

    private LoopbackServer server;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private Downloader downloader;

    @BeforeEach
    void start() throws IOException {
        server = new LoopbackServer();
        downloader = new Downloader(Duration.ofSeconds(10), new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private List<Path> cacheFiles() throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.toList();
        }
    }

    private IOException failure() {
        return assertThrows(IOException.class, () -> downloader.fetch(List.of(server.base("m")), FILE, cache));
    }

    @Test
    void goodFileLandsInTheCacheWithAProgressBar() throws IOException {
        server.serve("/m/abc.bin", LoopbackServer.ok(ABC));
        Path got = downloader.fetch(List.of(server.base("m")), FILE, cache);
        assertEquals(cache.resolve("abc.bin"), got);
        assertArrayEquals(ABC, Files.readAllBytes(got));
        assertEquals(List.of(got), cacheFiles());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("abc.bin [" + "=".repeat(30) + "] 100%"),
                log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void checksumMismatchLeavesNothing() throws IOException {
        server.serve("/m/abc.bin", LoopbackServer.ok("abd".getBytes(StandardCharsets.US_ASCII)));
        IOException e = failure();
        assertTrue(e.getMessage().contains("SHA-256 mismatch: expected " + SHA256_ABC + ", got "
                + "a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9"), e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void bodyCutShortLeavesNothing() throws Exception {
        // A raw socket, because the JDK's HttpServer keeps a short response's connection open.
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread serverThread = new Thread(() -> {
                try (Socket client = socket.accept()) {
                    client.getInputStream().read(new byte[4096]);
                    client.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                            + "Connection: close\r\n\r\na").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the test fails on the client side if this goes wrong
                }
            });
            serverThread.start();
            URI base = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/m/");
            IOException e = assertThrows(IOException.class, () -> downloader.fetch(List.of(base), FILE, cache));
            serverThread.join(10_000);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertTrue(e.getMessage().contains("1 of 3 bytes"), e.getMessage());
        }
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void stalledBodyTimesOutAndLeavesNothing() throws IOException {
        server.serve("/m/abc.bin", LoopbackServer.stalls(3, new byte[] {'a'}));
        downloader = new Downloader(Duration.ofMillis(500), null);
        IOException e = failure();
        assertTrue(e.getMessage().contains("body truncated after 1 of 3 bytes: SocketTimeoutException: Read timed out"), e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void shortChunkedBodyLeavesNothing() throws IOException {
        server.serve("/m/abc.bin", LoopbackServer.chunked(new byte[] {'a', 'b'}));
        IOException e = failure();
        assertTrue(e.getMessage().contains("body truncated: 2 of 3 bytes"), e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void bodyRunningLongLeavesNothing() throws IOException {
        server.serve("/m/abc.bin", LoopbackServer.chunked("abcabc".getBytes(StandardCharsets.US_ASCII)));
        IOException e = failure();
        assertTrue(e.getMessage().contains("body runs past the expected 3 bytes"), e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void wrongContentLengthIsRefusedBeforeReading() throws IOException {
        server.serve("/m/abc.bin", LoopbackServer.ok("abcd".getBytes(StandardCharsets.US_ASCII)));
        IOException e = failure();
        assertTrue(e.getMessage().contains("server announces 4 bytes but abc.bin has 3"), e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void serverErrorLeavesNothingAndNamesTheUrl() throws IOException {
        server.serve("/m/abc.bin", LoopbackServer.status(500));
        IOException e = failure();
        assertEquals("abc.bin: download failed from every mirror:\n    "
                + server.base("m") + "abc.bin: HTTP status 500", e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void nextMirrorIsTriedAfterAFailure() throws IOException {
        server.serve("/bad/abc.bin", LoopbackServer.status(500));
        server.serve("/good/abc.bin", LoopbackServer.ok(ABC));
        Path got = downloader.fetch(List.of(server.base("bad"), server.base("good")), FILE, cache);
        assertArrayEquals(ABC, Files.readAllBytes(got));
        assertEquals(2, server.requests.get());
    }

    @Test
    void failedDownloadKeepsAnEarlierGoodCopy() throws IOException {
        Files.write(cache.resolve("abc.bin"), ABC);
        server.serve("/m/abc.bin", LoopbackServer.status(503));
        failure();
        assertArrayEquals(ABC, Files.readAllBytes(cache.resolve("abc.bin")));
        assertEquals(1, cacheFiles().size());
    }
}
