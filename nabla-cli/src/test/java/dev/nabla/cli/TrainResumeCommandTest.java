package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla train --checkpoint DIR} then {@code --resume DIR} ends where an uninterrupted run does. */
class TrainResumeCommandTest {
    private static final String SAMPLE = Path.of("..", "testdata", "mnist-small").toString();

    private static String[] run(String... args) {
        return CliRun.run(args);
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void resumedRunEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
        // A constant rate: the default cosine schedule spans --epochs, so extending a run changes its earlier rates.
        String[] common = {"train", "--dataset", SAMPLE, "--limit", "300", "--seed", "7", "--schedule", "constant"};
        String[] straight = run(concat(common, "--epochs", "3", "--out", dir.resolve("straight").toString()));
        assertEquals("0", straight[0], straight[2]);

        Path checkpoints = dir.resolve("ckpt");
        String[] first = run(concat(common, "--epochs", "2", "--checkpoint", checkpoints.toString()));
        assertEquals("0", first[0], first[2]);
        assertTrue(Files.exists(checkpoints.resolve("last.safetensors")));
        assertTrue(Files.exists(checkpoints.resolve("best.safetensors")));

        String[] resumed = run(concat(common, "--epochs", "3", "--resume", checkpoints.toString(), "--out",
                dir.resolve("resumed").toString()));
        assertEquals("0", resumed[0], resumed[2]);
        assertTrue(resumed[1].contains("resuming from " + checkpoints.resolve("last.safetensors")), resumed[1]);
        assertTrue(resumed[1].contains("Epoch 3/3") && !resumed[1].contains("Epoch 2/3"), resumed[1]);
        assertEquals(lastLine(straight[1]), lastLine(resumed[1]));
        assertArrayEquals(Files.readAllBytes(dir.resolve("straight").resolve("model.safetensors")),
                Files.readAllBytes(dir.resolve("resumed").resolve("model.safetensors")));
    }

    @Test
    void resumeWithoutCheckpointOrWithOtherSettingsFailsInOneLine(@TempDir Path dir) {
        String[] none = run("train", "--dataset", SAMPLE, "--limit", "100", "--epochs", "1", "--resume",
                dir.toString());
        assertEquals("1", none[0]);
        assertTrue(none[2].contains("--resume " + dir + ": no checkpoint last.safetensors in that directory")
                && none[2].strip().lines().count() == 1, none[2]);

        assertEquals("0", run("train", "--dataset", SAMPLE, "--limit", "100", "--epochs", "1", "--checkpoint",
                dir.toString())[0]);
        String[] other = run("train", "--dataset", SAMPLE, "--limit", "100", "--epochs", "2", "--batch-size", "16",
                "--resume", dir.toString());
        assertEquals("1", other[0]);
        assertTrue(lastLine(other[2]).startsWith("nabla train: fit: cannot resume: " + dir.resolve("last.safetensors")
                + ": metadata field 'training' has batch_size = 32 but this run has 16") && !other[2].contains("\tat "),
                other[2]);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
