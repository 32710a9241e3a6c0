package dev.nabla.train.callbacks;

import dev.nabla.io.AtomicFiles;
import dev.nabla.train.Callback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Writes one CSV row per epoch (epoch, then the logs), rewriting the file atomically after each epoch. */
public final class CsvLogger implements Callback {
    private final Path file;
    private final StringBuilder content = new StringBuilder();
    private String header;

    /** Logs to {@code file}, replacing what it held. */
    public CsvLogger(Path file) {
        this.file = file;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        String keys = "epoch," + String.join(",", logs.keySet());
        if (header == null) {
            header = keys;
            content.append(header).append('\n');
        } else if (!header.equals(keys)) {
            throw new IllegalStateException("CsvLogger: columns changed from " + header + " to " + keys);
        }
        content.append(epoch);
        logs.values().forEach(v -> content.append(',').append(String.format(Locale.ROOT, "%.6g", v)));
        content.append('\n');
        try {
            AtomicFiles.write(file, content.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("CsvLogger: cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
