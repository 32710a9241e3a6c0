package dev.nabla.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model or tensor file that cannot be read or written as asked: malformed, hostile, of another format, or
 * describing a model this library cannot rebuild. The message starts with the file and names the tensor or field
 * and the values found.
 */
public class ModelFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** An error about {@code file}; the message is prefixed with the file name. */
    public ModelFileException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    /** An error about {@code file} caused by another exception. */
    public ModelFileException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The file concerned. */
    public Path file() {
        return file;
    }
}
