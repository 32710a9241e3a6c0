package dev.nabla.data;

import java.util.Locale;
import java.util.Objects;

/**
 * A file to download, with the size and SHA-256 it must have, so that a truncated or altered copy
 * is refused before it reaches the cache.
 *
 * @param name   the file name, appended to each mirror's base URL
 * @param size   the exact size in bytes
 * @param sha256 the SHA-256 of the content, 64 lower-case hex digits
 */
public record RemoteFile(String name, long size, String sha256) {

    public RemoteFile {
        Objects.requireNonNull(name, "RemoteFile: name");
        Objects.requireNonNull(sha256, "RemoteFile: sha256");
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("RemoteFile: name '" + name + "' must be a plain file name");
        }
        if (size < 0) {
            throw new IllegalArgumentException("RemoteFile " + name + ": size is " + size);
        }
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("RemoteFile " + name + ": sha256 '" + sha256
                    + "' is not 64 hex digits");
        }
    }
}
