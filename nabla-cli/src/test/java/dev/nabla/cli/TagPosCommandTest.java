package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla tag-pos} on a tiny corpus in the Brown format (twelve documents of one genre), and its errors. */
class TagPosCommandTest {
    @Test
    void trainsAndReportsAccuracyAgainstTheBaseline(@TempDir Path dir) throws Exception {
        String[] sentences = {
            "\tThe/at dog/nn-tl watch/vb the/at fly/nn ./.", "\tA/at cat/nn fly/vb a/at watch/nn ./.",
            "\tJohn/np run/vb the/at cook/nn ./.", "\tThe/at cook/nn run/vb a/at dog/nn ./.",
        };
        for (int d = 1; d <= 12; d++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 12; i++) {
                text.append("\n\n").append(sentences[(d + i) % sentences.length]).append('\n');
            }
            Files.writeString(dir.resolve(String.format("ca%02d", d)), text);
        }
        Path model = dir.resolve("tagger.safetensors");
        String[] r = CliRun.run("tag-pos", "--dir", dir.toString(), "--epochs", "2", "--dim", "8", "--hidden", "8",
                "--batch", "8", "--min-count", "1", "--examples", "1", "--out", model.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("  train  10 documents,     120 sentences,       690 tokens"), r[1]);
        assertTrue(r[1].contains("  test    1 documents,      12 sentences,        69 tokens"), r[1]);
        assertTrue(r[1].contains("most-frequent-tag baseline: test accuracy "), r[1]);
        assertTrue(r[1].contains("trained 2 epochs (30 steps)"), r[1]);
        assertTrue(r[1].contains("test accuracy: "), r[1]);
        assertTrue(Files.size(model) > 0);

        Files.writeString(dir.resolve("cb01"), "\tA/at dog/nn\n\tbarks\n");
        String[] bad = CliRun.run("tag-pos", "--dir", dir.toString());
        assertEquals("1", bad[0]);
        assertEquals("nabla tag-pos: " + dir.resolve("cb01") + ":2: token 1 'barks' is not word/tag (no '/')\n", bad[2]);
    }
}
