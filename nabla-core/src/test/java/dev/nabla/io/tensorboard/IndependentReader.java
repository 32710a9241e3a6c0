package dev.nabla.io.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs tools/reference/read_tfevents.py, the independent event-file reader, from a test. */
public final class IndependentReader {
    static final String PYTHON = "/usr/bin/python3";
    static final String READER = "../tools/reference/read_tfevents.py";
    static final String INSTALL = "install the Python protobuf runtime: apt-get install -y python3-protobuf";

    private IndependentReader() {}

    /** The records of an event file, decoded independently (a JSON array of objects). */
    public static List<?> records(Path file) throws IOException, InterruptedException {
        return (List<?>) Json.parse(read(file));
    }

    /**
     * Decodes an event file with tools/reference/read_tfevents.py (the protobuf runtime of Debian's
     * python3-protobuf) and returns its JSON; fails, never skips, when the reader cannot run.
     */
    static String read(Path file) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " is missing: the event-file test needs Python 3 and its protobuf runtime; " + INSTALL);
        }
        if (!Files.isRegularFile(Path.of(READER))) {
            fail(READER + " not found from " + Path.of("").toAbsolutePath() + " (run the tests from nabla-core)");
        }
        Process p = new ProcessBuilder(PYTHON, READER, file.toString()).redirectError(ProcessBuilder.Redirect.PIPE)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "read_tfevents.py did not finish");
        if (p.exitValue() == 3) {
            fail("the Python protobuf module is missing for " + PYTHON + ": " + INSTALL + "\n" + stderr);
        }
        assertEquals(0, p.exitValue(), "read_tfevents.py failed on " + file + ":\n" + stderr);
        return out;
    }
}
