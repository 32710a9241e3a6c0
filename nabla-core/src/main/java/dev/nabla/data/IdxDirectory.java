package dev.nabla.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Loads a dataset laid out as MNIST is: a directory holding the four standard IDX files
 * ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte}), each raw or gzip-compressed ({@code .gz}).
 *
 * <p>The spelling with a dot before {@code idx} ({@code train-images.idx3-ubyte}), found in some
 * re-distributions, is accepted too.
 */
public final class IdxDirectory {

    /** The standard base names, in the order train images, train labels, test images, test labels. */
    public static final List<String> FILES = List.of(
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private IdxDirectory() {
    }

    /** The file in {@code dir} for a standard base name, raw or gzip, if there is one. */
    public static Optional<Path> find(Path dir, String baseName) {
        String dotted = baseName.replace("-idx", ".idx");
        for (String name : List.of(baseName, baseName + ".gz", dotted, dotted + ".gz")) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The standard base names that {@code dir} lacks; empty when all four are there. */
    public static List<String> missing(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String name : FILES) {
            if (find(dir, name).isEmpty()) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** Whether {@code dir} holds all four standard files. */
    public static boolean isComplete(Path dir) {
        return Files.isDirectory(dir) && missing(dir).isEmpty();
    }

    /**
     * Loads the four files in {@code dir}, checking that images are rank 3, labels rank 1, and that
     * each labels file has one label per image.
     *
     * @param description where the data came from, kept in the returned {@link Split}
     * @throws IOException naming the missing files if {@code dir} is incomplete, or naming the file
     *                     and field if one is malformed
     */
    public static Split load(Path dir, String description) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a directory; expected one holding " + String.join(", ", FILES)
                    + " (each raw or .gz)");
        }
        List<String> missing = missing(dir);
        if (!missing.isEmpty()) {
            throw new IOException(dir + ": missing " + String.join(", ", missing)
                    + " (looked for each raw and as .gz)");
        }
        LabeledImages train = load(find(dir, FILES.get(0)).orElseThrow(), find(dir, FILES.get(1)).orElseThrow());
        LabeledImages test = load(find(dir, FILES.get(2)).orElseThrow(), find(dir, FILES.get(3)).orElseThrow());
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw new IdxFormatException(dir + ": train images are " + train.rows() + "×" + train.cols()
                    + " but test images are " + test.rows() + "×" + test.cols());
        }
        return new Split(train, test, description);
    }

    /** Loads one images file (rank 3) and its labels file (rank 1) into {@link LabeledImages}. */
    public static LabeledImages load(Path imagesFile, Path labelsFile) throws IOException {
        IdxArray images = Idx.read(imagesFile, 3);
        IdxArray labels = Idx.read(labelsFile, 1);
        if (labels.dim(0) != images.dim(0)) {
            throw new IdxFormatException(labelsFile + ": holds " + labels.dim(0) + " labels but "
                    + imagesFile.getFileName() + " holds " + images.dim(0) + " images");
        }
        int[] ints = new int[labels.dim(0)];
        for (int i = 0; i < ints.length; i++) {
            ints[i] = labels.unsigned(i);
        }
        return new LabeledImages(images.data(), ints, images.dim(0), images.dim(1), images.dim(2));
    }
}
