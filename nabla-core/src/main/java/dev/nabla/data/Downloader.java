package dev.nabla.data;

import dev.nabla.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Downloads a file into a cache directory, trying mirrors in turn, and admits it only if its size and
 * SHA-256 match: the body goes to a temporary file beside the target and is moved into place
 * atomically after the checks, so a failed or corrupt download leaves nothing in the cache.
 *
 * <p>Progress is drawn as a one-line bar on the given stream (usually {@code System.err}).
 */
public final class Downloader {

    private static final int BUFFER = 1 << 16;

    private final int timeoutMillis;
    private final PrintStream progress;

    /**
     * @param timeout  how long to wait for a connection, and for each read of the body
     * @param progress where the progress bar goes, or {@code null} for none
     */
    public Downloader(Duration timeout, PrintStream progress) {
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE,
                Objects.requireNonNull(timeout, "timeout").toMillis());
        this.progress = progress;
    }

    /**
     * Fetches {@code file} into {@code dir} from the first mirror that serves it intact.
     *
     * @param mirrors base URLs; the file name is appended to each
     * @return the path of the verified file, {@code dir/file.name()}
     * @throws IOException listing each URL tried and why it failed, if none succeeded
     */
    public Path fetch(List<URI> mirrors, RemoteFile file, Path dir) throws IOException {
        Path target = dir.resolve(file.name());
        List<String> failures = new ArrayList<>();
        for (URI base : mirrors) {
            URI uri = resolve(base, file.name());
            try {
                AtomicFiles.write(target, out -> download(uri, file, out));
                return target;
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                failures.add(uri + ": " + describe(e));
            }
        }
        throw new IOException(file.name() + ": download failed from "
                + (mirrors.isEmpty() ? "no mirror (none configured)" : "every mirror:\n    "
                + String.join("\n    ", failures)));
    }

    private void download(URI uri, RemoteFile file, OutputStream out) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setConnectTimeout(timeoutMillis);
        connection.setReadTimeout(timeoutMillis);
        connection.setInstanceFollowRedirects(true);
        try {
            int status = connection.getResponseCode();
            if (status != 200) {
                throw new IOException("HTTP status " + status);
            }
            long announced = connection.getContentLengthLong();
            if (announced >= 0 && announced != file.size()) {
                throw new IOException("server announces " + announced + " bytes but "
                        + file.name() + " has " + file.size());
            }
            copyVerified(connection.getInputStream(), file, out);
        } finally {
            connection.disconnect();
        }
    }

    private void copyVerified(InputStream body, RemoteFile file, OutputStream out) throws IOException {
        try (body) {
            MessageDigest sha = sha256();
            Bar bar = new Bar(file.name(), file.size());
            byte[] buffer = new byte[BUFFER];
            long total = 0;
            try {
                int n;
                while ((n = read(body, buffer, total, file)) != -1) {
                    total += n;
                    if (total > file.size()) {
                        throw new IOException("body runs past the expected " + file.size() + " bytes");
                    }
                    sha.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    bar.update(total);
                }
            } finally {
                bar.end();
            }
            if (total != file.size()) {
                throw new IOException("body truncated: " + total + " of " + file.size() + " bytes");
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!actual.equals(file.sha256())) {
                throw new IOException("SHA-256 mismatch: expected " + file.sha256() + ", got " + actual);
            }
        }
    }

    private static int read(InputStream body, byte[] buffer, long total, RemoteFile file) throws IOException {
        try {
            return body.read(buffer);
        } catch (IOException e) {
            throw new IOException("body truncated after " + total + " of " + file.size() + " bytes: "
                    + describe(e), e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private static URI resolve(URI base, String name) {
        String s = base.toString();
        return URI.create(s.endsWith("/") ? s + name : s + "/" + name);
    }

    /** A failure as one line: the message, prefixed by the exception's type unless it is a plain one. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        String type = e.getClass().getSimpleName();
        if (message == null || message.isBlank()) {
            return type;
        }
        return e.getClass() == IOException.class || e instanceof DatasetNotFoundException
                || e instanceof IdxFormatException ? message : type + ": " + message;
    }

    /** A one-line progress bar redrawn in place whenever the percentage changes. */
    private final class Bar {
        private static final int WIDTH = 30;
        private final String name;
        private final long size;
        private int shownPercent = -1;

        Bar(String name, long size) {
            this.name = name;
            this.size = size;
        }

        void update(long done) {
            if (progress == null) {
                return;
            }
            int percent = size == 0 ? 100 : (int) (100 * done / size);
            if (percent == shownPercent) {
                return;
            }
            shownPercent = percent;
            int filled = percent * WIDTH / 100;
            progress.printf("\r%s [%s%s] %3d%% %.1f/%.1f MB", name, "=".repeat(filled),
                    " ".repeat(WIDTH - filled), percent, done / 1e6, size / 1e6);
            progress.flush();
        }

        void end() {
            if (progress != null && shownPercent >= 0) {
                progress.println();
            }
        }
    }
}
