package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla train-lm} on a tiny fortune file, then {@code nabla generate} from the saved model. */
class LanguageModelCommandTest {
    private static String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Nabla.run(args);
            return new String[] {Integer.toString(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void trainLmThenGenerate(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tiny"), "To be or not to be.\n%\nThe cat sat on the mat.\n%\nTo err is human.\n"
                .repeat(20));
        for (String arch : new String[] {"lstm", "transformer"}) {
            Path model = dir.resolve(arch + ".safetensors");
            String[] r = run("train-lm", "--arch", arch, "--dir", dir.toString(), "--files", "tiny", "--steps", "5",
                    "--dim", "8", "--hidden", "16", "--heads", "2", "--context", "8", "--batch", "4", "--out",
                    model.toString());
            assertEquals("0", r[0], r[2]);
            assertTrue(r[1].contains("unigram baseline: ") && r[1].contains("held-out: "), r[1]);
            String[] g = run("generate", "--model", model.toString(), "--prompt", "To ", "--length", "20");
            assertEquals("0", g[0], g[2]);
            assertTrue(g[1].startsWith("To ") && g[1].length() >= 23, g[1]);
        }
        String[] bad = run("generate", "--model", dir.resolve("lstm.safetensors").toString(), "--prompt", "Zq");
        assertEquals("1", bad[0]);
        assertEquals("nabla generate: --prompt has characters the model never saw: 'Zq'\n", bad[2]);
    }
}
