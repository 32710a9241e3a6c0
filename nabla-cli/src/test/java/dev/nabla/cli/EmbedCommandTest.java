package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla embed} on a tiny corpus in the Brown format. */
class EmbedCommandTest {
    @Test
    void trainsVectorsAndPrintsNeighbours(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ca01"), "\tThe/at cat/nn sat/vbd on/in the/at mat/nn ./.\n\n"
                .concat("\tThe/at dog/nn sat/vbd on/in the/at rug/nn ./.\n\n").repeat(10));
        Files.writeString(dir.resolve("cb01"), "\tA/at car/nn drove/vbd down/in the/at road/nn ./.\n\n".repeat(10));
        Path vectors = dir.resolve("vectors.safetensors");
        String[] r = CliRun.run("embed", "--dir", dir.toString(), "--epochs", "2", "--dim", "8", "--batch", "16",
                "--subsample", "0", "--min-count", "2", "--query", "cat,Dog,zebra", "--neighbours", "2",
                "--out", vectors.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("corpus: 30 sentences, 210 tokens (lower-cased)"), r[1]);
        assertTrue(r[1].contains("13 words seen 2+ times"), r[1]);
        assertTrue(r[1].matches("(?s).*\ncat: \\S+ -?[01]\\.\\d\\d, \\S+ -?[01]\\.\\d\\d\n.*"), r[1]);
        assertTrue(r[1].contains("\ndog: "), r[1]);
        assertTrue(r[1].contains("\nzebra: not in the vocabulary\n"), r[1]);
        assertTrue(r[1].contains("neighbours sharing the word's most frequent tag (12 most frequent lower-case words, k=1): "), r[1]);
        assertTrue(Files.size(vectors) > 0);
    }
}
