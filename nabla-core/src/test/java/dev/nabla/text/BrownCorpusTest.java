package dev.nabla.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Brown corpus reader on small inline files in the package's format: parsing, errors, base tags, the split. */
class BrownCorpusTest {
    /** Two paragraphs as in {@code ca01}: a tab before each sentence, blank lines between. */
    private static final String FILE = "\n\n\tThe/at Fulton/np-tl County/nn-tl said/vbd ./.\n\n\n"
            + "\tIt/pps cost/vbd 1/2/cd cent/nn ,/, ``/`` he/pps said/vbd ''/'' ./.\n\n";

    @Test
    void parsesOneSentencePerLineAndSplitsTokensAtTheLastSlash() throws IOException {
        List<BrownCorpus.Sentence> s = BrownCorpus.parse(FILE, "ca01");
        assertEquals(2, s.size());
        assertEquals(List.of("The", "Fulton", "County", "said", "."), s.get(0).words());
        assertEquals(List.of("at", "np-tl", "nn-tl", "vbd", "."), s.get(0).tags());
        assertEquals(List.of("It", "cost", "1/2", "cent", ",", "``", "he", "said", "''", "."), s.get(1).words());
        assertEquals(List.of("pps", "vbd", "cd", "nn", ",", "``", "pps", "vbd", "''", "."), s.get(1).tags());
        assertEquals(List.of("at", "np", "nn", "vbd", "."), s.get(0).withBaseTags().tags());
        assertEquals(s.get(0).words(), s.get(0).withBaseTags().words());
    }

    @Test
    void malformedTokensAreReportedWithFileLineAndToken() {
        assertEquals("ca07:3: token 2 'jury' is not word/tag (no '/')", parseError("\tThe/at\n\n\tThe/at jury said/vbd\n"));
        assertEquals("ca07:1: token 1 '/at' is not word/tag (empty word)", parseError("/at jury/nn\n"));
        assertEquals("ca07:2: token 3 'said/' is not word/tag (empty tag)", parseError("\n\tThe/at jury/nn said/\n"));
        assertEquals("ca07: no sentences", parseError("\n\n  \t\n"));
    }

    private static String parseError(String text) {
        return assertThrows(IOException.class, () -> BrownCorpus.parse(text, "ca07")).getMessage();
    }

    @Test
    void baseTagsDropForeignPrefixAndTitleHeadlineCitationSuffixes() {
        String[][] cases = {
            {"nn", "nn"}, {"nn-tl", "nn"}, {"nn-tl-hl", "nn"}, {"np$-tl", "np$"}, {"vbn-nc", "vbn"},
            {"fw-nn", "nn"}, {"fw-in+at-tl", "in+at"}, {"fw-in+at-t", "in+at"}, {"ppss+ber-n", "ppss+ber"},
            {"fw-*", "*"}, {"*-hl", "*"}, {".-hl", "."}, {",-tl", ","}, {"(-hl", "("}, {"--", "--"}, {"---hl", "--"},
            {"ppss+md", "ppss+md"}, {"md*", "md*"}, {"pp$$", "pp$$"}, {"nil", "nil"}, {"''", "''"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], BrownCorpus.baseTag(c[0]), c[0]);
        }
    }

    @Test
    void splitIsByDocumentWithinEachGenre() {
        List<BrownCorpus.Document> docs = new ArrayList<>();
        for (int i = 25; i >= 1; i--) {  // out of order: the split sorts by name
            docs.add(doc(String.format("ca%02d", i)));
        }
        for (int i = 1; i <= 12; i++) {
            docs.add(doc(String.format("cm%02d", i)));
        }
        BrownCorpus.Split split = BrownCorpus.split(docs);
        assertEquals(List.of("ca09", "ca19", "cm09"), names(split.dev()));
        assertEquals(List.of("ca10", "ca20", "cm10"), names(split.test()));
        assertEquals(37 - 6, split.train().size());
        assertEquals("ca01", split.train().get(0).name());
        assertEquals("cm12", split.train().get(split.train().size() - 1).name());
        assertEquals(List.of("x" + "ca01"), BrownCorpus.Split.sentences(split.train().subList(0, 1)).get(0).words());
    }

    private static BrownCorpus.Document doc(String name) {
        return new BrownCorpus.Document(name, List.of(new BrownCorpus.Sentence(List.of("x" + name), List.of("nn"))));
    }

    private static List<String> names(List<BrownCorpus.Document> docs) {
        return docs.stream().map(BrownCorpus.Document::name).toList();
    }

    @Test
    void loadReadsTheCorpusFilesInNameOrderAndNamesTheBadFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("cb02"), "\tA/at dog/nn ./.\n");
        Files.writeString(dir.resolve("ca01"), FILE);
        Files.writeString(dir.resolve("README"), "not a corpus file");
        List<BrownCorpus.Document> docs = BrownCorpus.load(dir);
        assertEquals(List.of("ca01", "cb02"), names(docs));
        assertEquals('b', docs.get(1).genre());
        assertEquals(List.of("A", "dog", "."), docs.get(1).sentences().get(0).words());

        Files.writeString(dir.resolve("cc03"), "\tA/at dog/nn\n\tbarks\n");
        IOException e = assertThrows(IOException.class, () -> BrownCorpus.load(dir));
        assertEquals(dir.resolve("cc03") + ":2: token 1 'barks' is not word/tag (no '/')", e.getMessage());

        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertEquals(empty + ": no Brown corpus files (ca01 … cr09)",
                assertThrows(IOException.class, () -> BrownCorpus.load(empty)).getMessage());
    }

    @Test
    void sentenceNeedsOneTagPerWord() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new BrownCorpus.Sentence(List.of("a", "b"), List.of("at")));
        assertEquals("Sentence: 2 words but 1 tags", e.getMessage());
    }
}
