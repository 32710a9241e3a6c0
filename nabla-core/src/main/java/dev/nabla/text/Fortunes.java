package dev.nabla.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The text of Debian's {@code fortunes} package ({@code apt-get install fortunes}; files under
 * {@code /usr/share/games/fortunes}): the plain-text fortune files (not the {@code .dat} indexes, {@code .u8}
 * duplicates or the offensive subdirectory), in file-name order, joined. Cleaning: backspace overstrikes are
 * removed, the "%" lines between fortunes become blank lines, tabs become spaces, and any character outside printable
 * ASCII and newline is dropped. The split is by position: the first 90% of the characters train, the last 10% are
 * held out.
 */
public final class Fortunes {
    /** Where the Debian package puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/games/fortunes");

    /** The cleaned text split at a fraction of its length. */
    public record Split(String train, String heldOut, List<String> files) {}

    private Fortunes() {}

    /** Reads {@code files} (file names in {@code dir}; empty: all plain fortune files) and splits at 90%. */
    public static Split load(Path dir, List<String> files) throws IOException {
        List<Path> paths = new ArrayList<>();
        if (files.isEmpty()) {
            if (!Files.isDirectory(dir)) {
                throw new IOException(dir + " does not exist: install Debian's fortunes package (apt-get install -y"
                        + " fortunes) or give another directory");
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().contains("."))
                        .sorted().forEach(paths::add);
            }
        } else {
            files.forEach(f -> paths.add(dir.resolve(f)));
        }
        StringBuilder text = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (Path p : paths) {
            text.append(clean(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)));
            names.add(p.getFileName().toString());
        }
        int cut = (int) (text.length() * 0.9);
        return new Split(text.substring(0, cut), text.substring(cut), names);
    }

    /** The cleaning described above. */
    static String clean(String raw) {
        StringBuilder sb = new StringBuilder();
        for (String line : raw.split("\n", -1)) {
            if (line.equals("%")) {
                sb.append('\n');
                continue;
            }
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\b') {
                    if (l.length() > 0) {
                        l.setLength(l.length() - 1);
                    }
                } else if (c == '\t') {
                    l.append(' ');
                } else if (c >= 32 && c < 127) {
                    l.append(c);
                }
            }
            sb.append(l).append('\n');
        }
        return sb.toString();
    }
}
