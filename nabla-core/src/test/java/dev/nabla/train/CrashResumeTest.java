package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.io.CheckpointFile;
import dev.nabla.train.callbacks.ModelCheckpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a training process ({@code kill -9}) in the middle of an epoch and in the middle of writing a checkpoint,
 * resumes it, and requires the final weights to be bit-identical to those of an uninterrupted run.
 */
class CrashResumeTest {
    private static final Path DATA = Path.of("..", "testdata", "mnist-small").toAbsolutePath();
    private static final int EPOCHS = 4;

    /** A running child JVM and its output lines (standard output and error merged). */
    private static final class Child {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> seen = new ArrayList<>();

        Child(Path dir, Path out, String... extra) throws IOException {
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                    "--add-modules=jdk.incubator.vector", "-Xmx512m"));
            for (String e : extra) {
                if (e.startsWith("-D")) {
                    command.add(e);
                }
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashResumeChild.class.getName(),
                    DATA.toString(), dir.toString(), Integer.toString(EPOCHS), out.toString()));
            for (String e : extra) {
                if (!e.startsWith("-D")) {
                    command.add(e);
                }
            }
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process was killed
                }
            }, "child-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for a line starting with {@code prefix}; returns it. */
        String await(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen.add(line);
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                } else if (!process.isAlive() && lines.isEmpty()) {
                    break;
                }
            }
            throw new AssertionError("no line starting with '" + prefix + "'; output: " + seen);
        }

        /** {@code kill -9}. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "killed child still running");
        }

        /** Waits for a clean end; returns the LOSSES line. */
        String finish() throws InterruptedException {
            String losses = await("LOSSES ");
            await(CrashResumeChild.DONE);
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), seen.toString());
            return losses;
        }
    }

    private static int checkpointEpoch(Path dir) throws IOException {
        return CheckpointFile.read(ModelCheckpoint.lastIn(dir)).epoch();
    }

    @Test
    void killedMidEpochAndMidCheckpointResumesBitIdentically(@TempDir Path tmp) throws Exception {
        Path straight = tmp.resolve("straight.safetensors");
        String losses = new Child(tmp.resolve("straight"), straight).finish();

        // (a) killed in the middle of epoch 2 (counted from 0): resumes from the checkpoint after epoch 1
        Path dirA = tmp.resolve("a");
        Path outA = tmp.resolve("a.safetensors");
        Child a = new Child(dirA, outA, "2");
        a.await(CrashResumeChild.MID_EPOCH);
        a.kill();
        assertEquals(2, checkpointEpoch(dirA));
        Child resumedA = new Child(dirA, outA);
        assertEquals(losses, resumedA.finish());
        assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(outA), "weights after kill mid-epoch");

        // (b) killed while writing the checkpoint after 3 epochs: the one after 2 epochs stays whole
        Path dirB = tmp.resolve("b");
        Path outB = tmp.resolve("b.safetensors");
        Child b = new Child(dirB, outB, "-D" + CheckpointFile.PAUSE_PROPERTY + "=3");
        b.await(CheckpointFile.PAUSE_MARKER);
        b.kill();
        try (Stream<Path> files = Files.list(dirB)) {
            assertNotNull(files.filter(f -> f.getFileName().toString().startsWith("." + ModelCheckpoint.LAST)
                    && f.getFileName().toString().endsWith(".tmp")).findAny().orElse(null),
                    "the half-written temporary file is left behind");
        }
        assertEquals(2, checkpointEpoch(dirB));
        Child resumedB = new Child(dirB, outB);
        assertEquals(losses, resumedB.finish());
        assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(outB), "weights after kill mid-write");
    }
}
